namespace Pype.Actors.Node;

/// <summary>Commands the console (or a test) sends to the NodeGuardian. Each is answered with
/// one <see cref="NodeReply"/>.</summary>
public interface INodeCommand;

public sealed record WhoAmI : INodeCommand;
public sealed record ListContacts : INodeCommand;
public sealed record AddContact(string Address, string? Name) : INodeCommand;
public sealed record RemoveContact(string NameOrHash) : INodeCommand;
public sealed record RenameContact(string NameOrHash, string NewName) : INodeCommand;
public sealed record RotateKeys : INodeCommand;
public sealed record GetNodeStatus : INodeCommand;
public sealed record ListPeers : INodeCommand;
/// <summary>The address book: a summary, or one record by contact name, address or hash.</summary>
public sealed record ShowBook(string? Query) : INodeCommand;
/// <summary>Calls a contact or address: directly through a seed introduction and through the call list at once.</summary>
public sealed record PlaceCall(string Target) : INodeCommand;
/// <summary>Answers, rejects or hangs up a call (call id prefix optional when only one call applies).</summary>
public sealed record EndCall(string? CallId, Calls.CallAction Action, string Command) : INodeCommand;
/// <summary>Live calls, and the call-list entries where this node is the callee or the caller.</summary>
public sealed record ListCalls : INodeCommand;
public sealed record ConnectToPeer(string Address) : INodeCommand;
/// <summary>Ends the direct session with a peer (by hash, 8+ hex digit prefix, or address).</summary>
public sealed record DisconnectPeer(string Peer) : INodeCommand;
/// <summary>Asks the node to persist what it holds now (used by coordinated shutdown).</summary>
public sealed record FlushNode : INodeCommand;

/// <summary>Registers an actor for the node's unsolicited events (network and call events); the
/// console is one. Replies to commands go only to whoever asked.</summary>
public sealed record SubscribeNodeEvents(Akka.Actor.IActorRef Subscriber);

/// <summary>What the node says: replies to commands and unsolicited events alike. The console
/// renders each as text or as one JSON line.</summary>
public abstract record NodeReply;

public sealed record ContactView(string Name, string Hash, string Address, DateTimeOffset AddedAt);

public sealed record NodeReady(string Role, string Address, string Hash, TimeSpan StartupTime, string DataDir, string? NodeListen, string? SeedListen) : NodeReply;
public sealed record IdentityView(string Role, string Address, string Hash, bool KeyEncrypted, string KeyFile) : NodeReply;
public sealed record ContactsView(IReadOnlyList<ContactView> Contacts) : NodeReply;
public sealed record ContactAddedReply(ContactView Contact) : NodeReply;
public sealed record ContactRemovedReply(string Name, string Hash) : NodeReply;
public sealed record ContactRenamedReply(string OldName, ContactView Contact) : NodeReply;
public sealed record KeysRotated(string Address, string Hash, string PreviousHash, string ArchivedTo) : NodeReply;
public sealed record NodeStatus(
    string Address,
    string Hash,
    TimeSpan Uptime,
    string DataDir,
    string Database,
    long DatabaseBytes,
    bool KeyEncrypted,
    int Contacts,
    long JournalEvents,
    long EventsSinceSnapshot,
    DateTimeOffset? LastSnapshotAt,
    bool SeedInProcess,
    Transport.TransportStatus Transport,
    Peers.PeerListStatus Peers,
    Peers.SeedLinkView? SeedLink,
    Replication.GossipStatus? Gossip,
    Relay.RelayView? Relay = null) : NodeReply;
public sealed record CommandFailed(string Command, string Message) : NodeReply;
public sealed record NodeFlushed : NodeReply;

public sealed record PeerView(string Hash, string State, string? PathKind, string? RemoteEndPoint, double? RttMs, TimeSpan? ConnectedFor);
public sealed record PeersView(IReadOnlyList<PeerView> Peers) : NodeReply;
public sealed record ConnectRequested(string Hash) : NodeReply;
public sealed record PeerDisconnected(string Hash) : NodeReply;

public sealed record RegisteredAtSeed(string Seed, string? ServerReflexive) : NodeReply;
public sealed record LostSeed(string Seed, string Reason) : NodeReply;
public sealed record PeerConnected(string Hash, string PathKind, string RemoteEndPoint, double SetupMs) : NodeReply;
public sealed record PeerPathChanged(string Hash, string PathKind, string RemoteEndPoint) : NodeReply;
public sealed record PeerLost(string Hash, string Reason) : NodeReply;
public sealed record NoDirectPath(string Hash, int CandidatesTried, double ElapsedMs) : NodeReply;

public sealed record RecordView(string Hash, string Address, ulong Sequence, DateTimeOffset Expiry, IReadOnlyList<string> Candidates);
public sealed record BookSummary(int Records, RecordView? Own) : NodeReply;
public sealed record RecordLookup(string Hash, RecordView? Record) : NodeReply;
public sealed record CallEntryView(string CallId, string Caller, string Callee, string Kind, DateTimeOffset Created, DateTimeOffset Expiry);
public sealed record CallEntriesView(IReadOnlyList<CallEntryView> Entries) : NodeReply;
public sealed record LiveCallView(string CallId, string Peer, string PeerAddress, string Role, string State, TimeSpan Age);
public sealed record CallsView(IReadOnlyList<LiveCallView> Live, IReadOnlyList<CallEntryView> Entries) : NodeReply;

/// <summary>Reply to <c>call</c>: the invite is on its way (directly and through the call list).</summary>
public sealed record CallPlaced(string CallId, string Callee, string CalleeAddress) : NodeReply;
/// <summary>Reply to <c>answer</c>, <c>reject</c> and <c>hangup</c>; the call's events follow.</summary>
public sealed record CallCommandDone(string Command, string CallId) : NodeReply;
public sealed record CallIncoming(string CallId, string Caller, string CallerAddress, string Source) : NodeReply;
/// <summary>The callee is alerting its user (heard on the caller's side).</summary>
public sealed record CallRinging(string CallId, string Peer) : NodeReply;
public sealed record CallEstablished(string CallId, string Peer, string Role, double SetupMs, string Video, string Audio) : NodeReply;
public sealed record CallEnded(string CallId, string Peer, string Reason, TimeSpan? Duration) : NodeReply;
/// <summary>A media stage failed for good (a missing camera, an ffmpeg that keeps dying); the call goes on where it can.</summary>
public sealed record CallMediaProblem(string CallId, string Stage, string Message) : NodeReply;
/// <summary>The call's first received picture was shown, this long after its media started to flow here (the answer at the callee, the peer's answer heard at the caller).</summary>
public sealed record CallFirstPicture(string CallId, string Peer, TimeSpan AfterAnswer) : NodeReply;
public sealed record CallStatsView(string CallId, string Peer, TimeSpan Duration, Media.MediaStats Media);
/// <summary>Reply to <c>stats</c>: the media counters of every established call.</summary>
public sealed record CallStatsReply(IReadOnlyList<CallStatsView> Calls) : NodeReply;
/// <summary>Published once a second for every established call: its media statistics (the <c>call-stats</c> event).</summary>
public sealed record CallStatsTick(string CallId, string Peer, Media.MediaStats Media) : NodeReply;
public sealed record RecordLearned(string Hash, ulong Sequence, int Candidates) : NodeReply;
