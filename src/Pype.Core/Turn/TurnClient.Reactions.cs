using Pype.Core.Stun.Attributes;

namespace Pype.Core.Turn;

/// <summary>
/// What the client does about each outcome, and the timers that keep the allocation, its
/// permissions and its channels alive. Kept apart from the input handling in TurnClient.cs.
/// </summary>
public sealed partial class TurnClient
{
    private void BeginAllocation(DateTimeOffset now)
    {
        State = TurnClientState.Allocating;
        RelayedAddress = null;
        MappedAddress = null;
        _refreshAt = null;
        _expiresAt = null;
        _refreshPending = false;
        _lastSentDataAt = null;
        _peers.ResetForNewAllocation();
        _transactions.Send(now, TurnRequest.Allocate(_options));
    }

    /// <summary>Sends whatever refresh, permission or channel request has fallen due.</summary>
    private void Reconcile(DateTimeOffset now)
    {
        if (State != TurnClientState.Allocated)
            return;

        if (!_refreshPending && _refreshAt is { } refreshAt && now >= refreshAt)
        {
            _refreshPending = true;
            _transactions.Send(now, TurnRequest.Refresh(_options));
        }
        else if (!_refreshPending && ProbeAt is { } probeAt && now >= probeAt)
        {
            _refreshPending = true;
            _transactions.Send(now, TurnRequest.Probe(_options));
        }

        foreach (var permission in _peers.Permissions)
        {
            if (permission.ExpiresAt is { } expiry && now >= expiry)
            {
                permission.ExpiresAt = null;
                _events.Enqueue(new TurnClientEvent.PermissionExpired(permission.Peer));
            }
            if (permission.IsDue(now))
            {
                permission.Pending = true;
                _transactions.Send(now, TurnRequest.CreatePermission(permission.Peer));
            }
        }

        foreach (var channel in _peers.Channels)
        {
            if (channel.ExpiresAt is { } expiry && now >= expiry)
                channel.ExpiresAt = null;
            if (channel.IsDue(now))
            {
                channel.Pending = true;
                _transactions.Send(now, TurnRequest.ChannelBind(channel));
            }
        }
    }

    private void OnOutcome(DateTimeOffset now, TurnOutcome outcome)
    {
        switch (outcome.Request.Kind)
        {
            case TurnRequestKind.Allocate when State == TurnClientState.Allocating:
                OnAllocate(now, outcome);
                break;
            case TurnRequestKind.Refresh when State == TurnClientState.Allocated:
                OnRefresh(now, outcome);
                break;
            case TurnRequestKind.Deallocate when State == TurnClientState.Stopping:
                State = TurnClientState.Stopped;
                _events.Enqueue(new TurnClientEvent.Deallocated());
                break;
            case TurnRequestKind.CreatePermission when State == TurnClientState.Allocated:
                OnPermission(now, outcome);
                break;
            case TurnRequestKind.ChannelBind when State == TurnClientState.Allocated:
                OnChannelBind(now, outcome);
                break;
        }
    }

    /// <summary>Every Allocate error is final for this attempt; <see cref="TurnFailure.Retryable"/> tells the owner whether to start again later.</summary>
    private void OnAllocate(DateTimeOffset now, TurnOutcome outcome)
    {
        if (outcome.Failure is { } failure)
        {
            Fail(failure);
            return;
        }
        var response = outcome.Success!.Message;
        var relayed = response.Get<XorRelayedAddressAttribute>()?.EndPoint;
        var mapped = response.Get<XorMappedAddressAttribute>()?.EndPoint;
        var lifetime = response.Get<LifetimeAttribute>()?.Lifetime;
        if (relayed is null || mapped is null || lifetime is null || lifetime <= TimeSpan.Zero)
        {
            Fail(TurnErrors.Malformed("Allocate success without XOR-RELAYED-ADDRESS, XOR-MAPPED-ADDRESS or a positive LIFETIME"));
            return;
        }

        State = TurnClientState.Allocated;
        _lastHeardAt = now;
        RelayedAddress = relayed;
        MappedAddress = mapped;
        ScheduleRefresh(now, lifetime.Value);
        _events.Enqueue(new TurnClientEvent.Allocated(relayed, mapped, lifetime.Value));
    }

    private void OnRefresh(DateTimeOffset now, TurnOutcome outcome)
    {
        _refreshPending = false;
        if (outcome.Failure is { } failure)
        {
            LoseOrFail(now, failure);
            return;
        }
        var lifetime = outcome.Success!.Message.Get<LifetimeAttribute>()?.Lifetime;
        if (lifetime is null || lifetime <= TimeSpan.Zero)
        {
            Lose(now, TurnErrors.Malformed("Refresh success without a positive LIFETIME"));
            return;
        }
        _consecutiveRestarts = 0;
        ScheduleRefresh(now, lifetime.Value);
        _events.Enqueue(new TurnClientEvent.Refreshed(lifetime.Value));
    }

    private void OnPermission(DateTimeOffset now, TurnOutcome outcome)
    {
        var peer = outcome.Request.PermissionPeer!;
        var permission = _peers.Permit(peer);
        permission.Pending = false;
        if (outcome.Failure is { } failure)
        {
            if (IsAllocationWide(failure))
                LoseOrFail(now, failure);
            else if (failure.Kind == TurnFailureKind.TimedOut)
                permission.RefreshAt = null;
            else
            {
                _peers.Forget(peer);
                _events.Enqueue(new TurnClientEvent.PermissionFailed(peer, failure));
            }
            return;
        }
        var wasInstalled = permission.ExpiresAt is not null;
        permission.ExpiresAt = now + TurnLifetimes.Permission;
        permission.RefreshAt = now + _options.PermissionRefreshInterval;
        _consecutiveRestarts = 0;
        if (!wasInstalled)
            _events.Enqueue(new TurnClientEvent.PermissionCreated(peer));
    }

    private void OnChannelBind(DateTimeOffset now, TurnOutcome outcome)
    {
        var channel = outcome.Request.Channel!;
        // The channel may belong to an allocation that was lost and replaced meanwhile.
        if (_peers.ChannelFor(channel.Peer) != channel)
            return;
        channel.Pending = false;
        if (outcome.Failure is { } failure)
        {
            if (IsAllocationWide(failure))
                LoseOrFail(now, failure);
            else if (failure.Kind == TurnFailureKind.TimedOut)
                channel.RefreshAt = null;
            else
            {
                channel.Refused = true;
                _events.Enqueue(new TurnClientEvent.ChannelBindFailed(channel.Peer, failure));
            }
            return;
        }
        var wasBound = channel.IsBound(now);
        channel.ExpiresAt = now + TurnLifetimes.ChannelBinding;
        channel.RefreshAt = now + _options.ChannelRefreshInterval;
        _consecutiveRestarts = 0;
        if (!wasBound)
            _events.Enqueue(new TurnClientEvent.ChannelBound(channel.Peer, channel.Number));
    }

    /// <summary>Failures that concern the allocation or our credentials, not the one peer a request named.</summary>
    private static bool IsAllocationWide(TurnFailure failure) => failure.Kind is TurnFailureKind.AllocationMismatch
        or TurnFailureKind.Unauthenticated or TurnFailureKind.WrongCredentials;

    /// <summary>
    /// Credentials the server refuses will be refused again by a new allocation, so that is
    /// final; anything else (437, a timeout, an error) means the allocation is gone or unusable,
    /// and a new one is worth a try.
    /// </summary>
    private void LoseOrFail(DateTimeOffset now, TurnFailure failure)
    {
        if (failure.Kind is TurnFailureKind.Unauthenticated or TurnFailureKind.WrongCredentials)
            Fail(failure);
        else
            Lose(now, failure);
    }

    private void Lose(DateTimeOffset now, TurnFailure failure)
    {
        _transactions.Clear();
        _events.Enqueue(new TurnClientEvent.AllocationLost(failure));
        if (++_consecutiveRestarts > _options.MaxConsecutiveRestarts)
        {
            Fail(new TurnFailure(TurnFailureKind.TooManyRestarts, failure.ErrorCode,
                $"allocation lost {_consecutiveRestarts} times in a row; last: {failure}"));
            return;
        }
        BeginAllocation(now);
    }

    private void Fail(TurnFailure failure)
    {
        _transactions.Clear();
        _peers.ResetForNewAllocation();
        State = TurnClientState.Failed;
        RelayedAddress = null;
        MappedAddress = null;
        _events.Enqueue(new TurnClientEvent.AllocationFailed(failure));
    }

    /// <summary>Long lifetimes are refreshed a margin before expiry; short ones at half-life, so one lost refresh still leaves time.</summary>
    private void ScheduleRefresh(DateTimeOffset now, TimeSpan lifetime)
    {
        _expiresAt = now + lifetime;
        _refreshAt = now + (lifetime > _options.RefreshMargin * 2 ? lifetime - _options.RefreshMargin : lifetime / 2);
    }
}
