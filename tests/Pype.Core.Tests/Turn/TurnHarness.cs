using System.Net;
using Pype.Core.Stun;
using Pype.Core.Tests.Support;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Core.Tests.Turn;

/// <summary>
/// One TurnClient on a host of the one <see cref="VirtualNetwork"/>, a scripted server on another
/// (instant paths) and the network's virtual clock: a test script reads like the exchange it checks.
/// </summary>
internal sealed class TurnHarness
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly IPEndPoint Peer = IPEndPoint.Parse("192.0.2.50:6000");

    private readonly SimulatedHost _clientHost;
    private readonly SimulatedHost _serverHost;
    private readonly List<byte[]> _atServer = [];

    public TurnHarness(TurnClientOptions? options = null, int seed = 1)
    {
        Network = new VirtualNetwork(seed, Start);
        Client = new TurnClient(FakeTurnServer.EndPoint, FakeTurnServer.Credentials, new SeededRandomSource(seed), options);
        _serverHost = Network.AddHost("turn", FakeTurnServer.EndPoint);
        _serverHost.Receive = (_, _, datagram) => _atServer.Add(datagram);
        _clientHost = Network.AddHost("client", FakeTurnServer.Mapped);
        _clientHost.Receive = (now, source, datagram) => Client.HandleDatagram(now, source, datagram);
    }

    public VirtualNetwork Network { get; }
    public TurnClient Client { get; }
    public FakeTurnServer Server { get; } = new();

    public DateTimeOffset Now
    {
        get => Network.Now;
        set => Network.Clock.AdvanceTo(value);
    }

    public TimeSpan Elapsed => Now - Start;

    /// <summary>Every STUN datagram the client queued, parsed; ChannelData is left out (see <see cref="SentRaw"/>).</summary>
    public List<ReceivedStunMessage> Sent() =>
        SentRaw().Where(datagram => datagram[0] < 4).Select(datagram => StunMessageParser.Parse(datagram).Message!).ToList();

    public List<byte[]> SentRaw()
    {
        while (Client.PollTransmit() is { } transmit)
        {
            Assert.Equal(FakeTurnServer.EndPoint, transmit.Destination);
            Network.Send(_clientHost, transmit.Destination, transmit.Datagram.ToArray());
        }
        Network.RunDue();
        var sent = _atServer.ToList();
        _atServer.Clear();
        return sent;
    }

    public ReceivedStunMessage SentOne(StunMethod method)
    {
        var sent = Sent();
        return Assert.Single(sent, message => message.Type.Method == method);
    }

    public List<TurnClientEvent> Events()
    {
        var events = new List<TurnClientEvent>();
        while (Client.PollEvent() is { } turnEvent)
            events.Add(turnEvent);
        return events;
    }

    /// <summary>The server sends <paramref name="datagram"/>; it reaches the client at once.</summary>
    public void Deliver(byte[] datagram)
    {
        Network.Send(_serverHost, _clientHost.EndPoint, datagram);
        Network.RunDue();
    }

    /// <summary>Start, answer the unauthenticated Allocate with a 401 and the signed one with success.</summary>
    public TurnHarness Allocated(uint lifetimeSeconds = 600)
    {
        Client.Start(Now);
        Deliver(Server.Challenge(SentOne(StunMethod.Allocate)));
        Deliver(Server.AllocateSuccess(SentOne(StunMethod.Allocate), lifetimeSeconds));
        Assert.Equal(TurnClientState.Allocated, Client.State);
        Events();
        return this;
    }

    /// <summary>
    /// Runs virtual time to <paramref name="until"/>, firing every deadline and passing each sent
    /// request to <paramref name="answer"/> (null: the server stays silent). Returns what was sent, with when.
    /// </summary>
    public List<(TimeSpan At, ReceivedStunMessage Message)> Run(DateTimeOffset until, Func<ReceivedStunMessage, byte[]?> answer)
    {
        var log = new List<(TimeSpan, ReceivedStunMessage)>();
        while (true)
        {
            for (var sent = Sent(); sent.Count > 0; sent = Sent())
            {
                foreach (var message in sent)
                {
                    log.Add((Elapsed, message));
                    if (answer(message) is { } reply)
                        Deliver(reply);
                }
            }
            if (Client.NextDeadline is not { } deadline || deadline > until)
                break;
            Assert.True(deadline >= Now, "a deadline in the past would make the owner's timer spin");
            Now = deadline;
            Client.HandleTimeout(Now);
        }
        Now = until;
        return log;
    }
}
