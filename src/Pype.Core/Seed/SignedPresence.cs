using System.Text;
using Pype.Core.Identity;
using Pype.Core.Session;

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
        var writer = new SpanWriter(buffer);
        writer.Bytes(SigningDomain);
        WriteSignedPart(ref writer, key, time, candidates);
        var signature = identity.Sign(writer.Written);
        return new SignedPresence(key, time, candidates.ToArray(), signature);
    }

    /// <summary>Checks the signature, then that the time lies within [now − maxAge, now + maxFutureSkew].</summary>
    public PresenceVerdict Verify(DateTimeOffset now, TimeSpan maxAge, TimeSpan maxFutureSkew)
    {
        Span<byte> buffer = stackalloc byte[SigningDomain.Length + MaxEncodedLength];
        var writer = new SpanWriter(buffer);
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

    internal void WriteTo(ref SpanWriter writer)
    {
        WriteSignedPart(ref writer, PublicKey, UnixTimeMilliseconds, Candidates);
        writer.Bytes(_signature);
    }

    public byte[] Encode()
    {
        Span<byte> buffer = stackalloc byte[MaxEncodedLength];
        var writer = new SpanWriter(buffer);
        WriteTo(ref writer);
        return writer.Written.ToArray();
    }

    /// <summary>Reads one presence; false on any malformed field. Never throws, never checks the signature.</summary>
    internal static bool TryRead(ref SpanReader reader, out SignedPresence presence)
    {
        presence = null!;
        if (!reader.TryBytes(PeerKey.Length, out var keyBytes) || !PeerKey.TryRead(keyBytes, out var key))
            return false;
        if (!reader.TryUInt64(out var time) || time > LatestRepresentableTime)
            return false;
        if (!reader.TryCandidates(out var candidates))
            return false;
        if (!reader.TryBytes(IdentityKeyPair.SignatureLength, out var signature))
            return false;
        presence = new SignedPresence(key, time, candidates, signature.ToArray());
        return true;
    }

    public static bool TryDecode(ReadOnlySpan<byte> source, out SignedPresence presence)
    {
        var reader = new SpanReader(source);
        return TryRead(ref reader, out presence) && reader.AtEnd;
    }

    private static void WriteSignedPart(ref SpanWriter writer, PeerKey key, ulong time, IReadOnlyList<Candidate> candidates)
    {
        writer.Bytes(key.Span);
        writer.UInt64(time);
        writer.Candidates(candidates);
    }
}
