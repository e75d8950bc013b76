namespace Pype.Core.Stun;

/// <summary>
/// The 12-bit STUN method. An enum so TURN (RFC 8656) can add Allocate, Refresh, Send, Data,
/// CreatePermission and ChannelBind; any other 12-bit value still round-trips as a plain cast.
/// </summary>
public enum StunMethod : ushort
{
    Binding = 0x001,

    // TURN, RFC 8656 §17.
    Allocate = 0x003,
    Refresh = 0x004,
    Send = 0x006,
    Data = 0x007,
    CreatePermission = 0x008,
    ChannelBind = 0x009,
}
