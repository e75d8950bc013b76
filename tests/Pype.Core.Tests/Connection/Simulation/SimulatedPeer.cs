using System.Buffers.Binary;
using System.Net;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Session;
using Pype.Core.Tests.Support;
using Pype.Core.Wire;

namespace Pype.Core.Tests.Connection.Simulation;

/// <summary>
/// What a node's transport and ConnectionActor would do around a <see cref="PeerLink"/>: hands
/// initiations to the node's <see cref="NoiseResponder"/>, accepted ones and everything else to the
/// link, and moves the link's datagrams and events after every input.
/// </summary>
internal sealed class SimulatedPeer : ISimulatedAgent
{
    private readonly VirtualNetwork _network;
    private readonly SeededRandomSource _random;

    public SimulatedPeer(string name, SimulatedHost host, VirtualNetwork network, int seed)
    {
        Name = name;
        Host = host;
        _network = network;
        _random = new SeededRandomSource(seed);
        Identity = IdentityKeyPair.Generate(_random);
        Static = NoiseStaticKey.From(Identity);
        Responder = new NoiseResponder(Static, _ => true);
        host.Receive = OnDatagram;
        network.Attach(this);
    }

    public string Name { get; }

    public SimulatedHost Host { get; }

    public IdentityKeyPair Identity { get; }

    public NoiseKeyPair Static { get; }

    public NoiseResponder Responder { get; }

    public PeerLink? Link { get; private set; }

    public PeerLink RequiredLink => Link ?? throw new InvalidOperationException($"{Name} has no link yet.");

    public List<Candidate> Candidates { get; } = [];

    public List<(DateTimeOffset At, PeerLinkEvent Event)> Events { get; } = [];

    public List<byte[]> Received { get; } = [];

    public int InitiationsRefused { get; private set; }

    public int InitiationsSent { get; private set; }

    /// <summary>
    /// This peer's TURN allocation, modelled rather than spoken: a public host at the relayed
    /// address that hands whatever a permitted address sends it to this peer as "via relay", and
    /// sends this peer's via-relay datagrams from the relayed address (RFC 8656 in one paragraph).
    /// </summary>
    public SimulatedHost? Relay { get; private set; }

    public HashSet<System.Net.IPAddress> Permitted { get; } = [];

    public int RelayedIn { get; private set; }

    public int RelayedOut { get; private set; }

    /// <summary>Direct (unrelayed) datagrams from these sources are lost on the way in, as through a firewall.</summary>
    public Func<IPEndPoint, bool>? DropsDirectFrom { get; set; }

    public Candidate AllocateRelay(string relayedEndPoint)
    {
        Relay = _network.AddHost(Name + "-relay", relayedEndPoint);
        Relay.Receive = (now, source, datagram) =>
        {
            if (!Permitted.Contains(source.Address))
                return;
            RelayedIn++;
            OnDatagram(now, source, datagram, viaRelay: true);
        };
        var candidate = new Candidate(CandidateKind.Relayed, Relay.EndPoint);
        Candidates.Add(candidate);
        return candidate;
    }

    /// <summary>
    /// The TURN server restarted: the old allocation vanishes (nothing reaches it, nothing leaves
    /// it) and a new one at another address takes its place among the candidates, permissions kept.
    /// </summary>
    public Candidate ReplaceRelay(string relayedEndPoint)
    {
        if (Relay is { } old)
            old.Vanished = true;
        Candidates.RemoveAll(c => c.Kind == CandidateKind.Relayed);
        return AllocateRelay(relayedEndPoint);
    }

    /// <summary>What the node does with a new introduction of a connected peer: permit its addresses, hand the link the fresh candidates.</summary>
    public void Reintroduce(DateTimeOffset now, IReadOnlyList<Candidate> remoteCandidates)
    {
        foreach (var candidate in remoteCandidates)
            Permitted.Add(candidate.EndPoint.Address);
        RequiredLink.Reintroduce(now, remoteCandidates);
        Flush(now);
    }

    /// <summary>Makes the node's responder refuse every initiation, as if they were all lost on the way in.</summary>
    public bool RefusesInitiations { get; set; }

    public T? First<T>() where T : PeerLinkEvent => Events.Select(e => e.Event).OfType<T>().FirstOrDefault();

    public void CreateLink(SimulatedPeer remote, PeerLinkOptions options) =>
        Link = new PeerLink(Static, Identity.PublicKey.Span, remote.Identity.PublicKey.Span, _random, options);

    public void Start(DateTimeOffset now, IReadOnlyList<Candidate> remoteCandidates)
    {
        // As the node does: permit every address the introduction names, so the peer's packets to our relay get through.
        foreach (var candidate in remoteCandidates)
            Permitted.Add(candidate.EndPoint.Address);
        RequiredLink.Start(now, remoteCandidates);
        Flush(now);
    }

    public LinkSendResult Send(DateTimeOffset now, byte[] payload)
    {
        var result = RequiredLink.Send(now, payload);
        Flush(now);
        return result;
    }

    public DateTimeOffset? NextDeadline => Link?.NextDeadline;

    public void HandleTimeout(DateTimeOffset now) => Tick(now);

    public void Tick(DateTimeOffset now)
    {
        if (Link?.NextDeadline <= now)
        {
            Link.HandleTimeout(now);
            Flush(now);
        }
    }

    public void OnDatagram(DateTimeOffset now, IPEndPoint source, byte[] datagram) => OnDatagram(now, source, datagram, viaRelay: false);

    private void OnDatagram(DateTimeOffset now, IPEndPoint source, byte[] datagram, bool viaRelay)
    {
        if (Link is null || (!viaRelay && DropsDirectFrom?.Invoke(source) == true))
            return;
        if (PypePacket.Classify(datagram) == PypePacketType.HandshakeInitiation)
        {
            if (RefusesInitiations)
            {
                InitiationsRefused++;
                return;
            }
            var accepted = Responder.Respond(datagram, NewResponderIndex(), now, _random);
            if (accepted.IsSuccess)
                Link.HandleAcceptedHandshake(now, source, accepted.Value, viaRelay);
            else
                InitiationsRefused++;
        }
        else
        {
            Link.HandleDatagram(now, source, datagram, viaRelay);
        }
        Flush(now);
    }

    public void Flush(DateTimeOffset now)
    {
        if (Link is null)
            return;
        while (Link.PollTransmit() is { } transmit)
        {
            if (PypePacket.Classify(transmit.Datagram) == PypePacketType.HandshakeInitiation)
                InitiationsSent++;
            if (!transmit.ViaRelay)
            {
                _network.Send(Host, transmit.Destination, transmit.Datagram);
                continue;
            }
            if (Relay is null)
                throw new InvalidOperationException($"{Name} has no relay to send through");
            Permitted.Add(transmit.Destination.Address);
            RelayedOut++;
            _network.Send(Relay, transmit.Destination, transmit.Datagram);
        }
        while (Link.PollEvent() is { } linkEvent)
        {
            Events.Add((now, linkEvent));
            if (linkEvent is PeerLinkEvent.DataReceived data)
                Received.Add(data.Payload);
        }
    }

    private uint NewResponderIndex()
    {
        var bytes = new byte[sizeof(uint)];
        uint index;
        do
        {
            _random.Fill(bytes);
            index = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        }
        while (Link!.OwnsIndex(index));
        return index;
    }

    public override string ToString() => Name;
}
