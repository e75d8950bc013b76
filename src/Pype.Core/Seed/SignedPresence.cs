using System.Text;
using Pype.Core.Identity;
using Pype.Core.Session;
using Pype.Core.Wire;

namespace Pype.Core.Seed;

/// <summary>Whether a presence may be believed, and if not, why.</summary>
public enum PresenceVerdict
{
    Valid,
    BadSignature,
    /// <summary>Older than the allowed age: possibly a replay of an old registration.</summary>
    Stale,
    /// <summary>Dated further ahead than clocks plausibly drift.</summary>
    FromTheFuture,
}

/// <summary>
/// A peer's signed statement "I am online at these candidates at this time":
/// public key (32) | time (u64 unix ms) | candidates | Ed25519 signature (64) over
/// "pype presence v1" followed by every byte before the signature.
/// </summary>
public sealed class SignedPresence
{
    public const int MaxEncodedLength = PeerKey.Length + 8 + CandidateCodec.MaxEncodedLength + IdentityKeyPair.SignatureLength;

    /// <summary>Separates presence signatures from every other thing an identity key signs.</summary>
    private static readonly byte[] SigningDomain = Encoding.ASCII.GetBytes("pype presence v1");

    private static readonly ulong LatestRepresentableTime = (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private readonly byte[] _signature;

    private SignedPresence(PeerKey publicKey, ulong unixTimeMilliseconds, IReadOnlyList<Candidate> candidates, byte[] signature)
    {
        PublicKey = publicKey;
        UnixTimeMilliseconds = unixTimeMilliseconds;
        Candidates = candidates;
        _signature = signature;
    }

    public PeerKey PublicKey { get; }

    public ulong UnixTimeMilliseconds { get; }

    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeMilliseconds((long)UnixTimeMilliseconds);

    public IReadOnlyList<Candidate> Candidates { get; }

    public ReadOnlySpan<byte> Signature => _signature;

    public static SignedPresence Create(IdentityKeyPair identity, DateTimeOffset now, IReadOnlyList<Candidate> candidates)
    {
        if (candidates.Count > CandidateCodec.MaxCandidates)
            throw new ArgumentException($"a presence carries at most {CandidateCodec.MaxCandidates} candidates", nameof(candidates));
        var key = PeerKey.Of(identity);
        var time = (ulong)now.ToUnixTimeMilliseconds();
        Span<byte> buffer = stackalloc byte[SigningDomain.Length + MaxEncodedLength];
        var writer = new WireWriter(buffer);
        writer.Bytes(SigningDomain);
        WriteSignedPart(ref writer, key, time, candidates);
        var signature = identity.Sign(writer.Written);
        return new SignedPresence(key, time, candidates.ToArray(), signature);
    }

    /// <summary>Checks the signature, then that the time lies within [now − maxAge, now + maxFutureSkew].</summary>
    public PresenceVerdict Verify(DateTimeOffset now, TimeSpan maxAge, TimeSpan maxFutureSkew)
    {
        Span<byte> buffer = stackalloc byte[SigningDomain.Length + MaxEncodedLength];
        var writer = new WireWriter(buffer);
        writer.Bytes(SigningDomain);
        WriteSignedPart(ref writer, PublicKey, UnixTimeMilliseconds, Candidates);
        if (!IdentityKeyPair.Verify(PublicKey.Span, writer.Written, _signature))
            return PresenceVerdict.BadSignature;
        // Both times are representable, so their difference cannot overflow.
        if (now - Time > maxAge)
            return PresenceVerdict.Stale;
        if (Time - now > maxFutureSkew)
            return PresenceVerdict.FromTheFuture;
        return PresenceVerdict.Valid;
    }

    internal void WriteTo(ref WireWriter writer)
    {
        WriteSignedPart(ref writer, PublicKey, UnixTimeMilliseconds, Candidates);
        writer.Bytes(_signature);
    }

    public byte[] Encode()
    {
        Span<byte> buffer = stackalloc byte[MaxEncodedLength];
        var writer = new WireWriter(buffer);
        WriteTo(ref writer);
        return writer.Written.ToArray();
    }

    /// <summary>Reads one presence; false on any malformed field. Never throws, never checks the signature.</summary>
    internal static bool TryRead(ref WireReader reader, out SignedPresence presence)
    {
        presence = null!;
        var keyBytes = reader.Span(PeerKey.Length);
        if (reader.Failed || !PeerKey.TryRead(keyBytes, out var key))
            return false;
        var time = reader.U64();
        if (reader.Failed || time > LatestRepresentableTime)
            return false;
        var candidates = reader.Candidates();
        var signature = reader.Span(IdentityKeyPair.SignatureLength);
        if (reader.Failed)
            return false;
        presence = new SignedPresence(key, time, candidates, signature.ToArray());
        return true;
    }

    public static bool TryDecode(ReadOnlySpan<byte> source, out SignedPresence presence)
    {
        var reader = new WireReader(source);
        return TryRead(ref reader, out presence) && reader.AtEnd;
    }

    private static void WriteSignedPart(ref WireWriter writer, PeerKey key, ulong time, IReadOnlyList<Candidate> candidates)
    {
        writer.Bytes(key.Span);
        writer.U64(time);
        writer.Candidates(candidates);
    }
}
