using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Kiosk;

namespace Chiyoda.Civic.Grains.Kiosk;

/// <summary>
/// Which kiosk session, if any, holds one voter in one round (<see cref="IKioskVoterGrain"/>). Stored, so a restarted silo
/// still refuses a second device while the first is open; the claim carries its expiry, so nothing needs to clear it.
/// </summary>
[GrainType("kiosk-voter")]
public sealed class KioskVoterGrain(
    [PersistentState("kiosk-voter", StorageNames.GrainState)] IPersistentState<KioskVoterState> state,
    TimeProvider time) : Grain, IKioskVoterGrain
{
    Task<bool> IKioskVoterGrain.ClaimAsync(string sessionKey, DateTimeOffset expiresAt) => ClaimAsync(sessionKey, expiresAt, null);

    Task<bool> IKioskVoterGrain.ClaimAsync(string sessionKey, DateTimeOffset expiresAt, string facilityCode) => ClaimAsync(sessionKey, expiresAt, facilityCode);

    Task<KioskOpenSession?> IKioskVoterGrain.GetOpenAsync() =>
        Task.FromResult(state.State is { SessionKey: not null } held && time.GetUtcNow() < held.ExpiresAt
            ? new KioskOpenSession(held.ExpiresAt, held.FacilityCode)
            : null);

    private async Task<bool> ClaimAsync(string sessionKey, DateTimeOffset expiresAt, string? facilityCode)
    {
        var held = state.State;
        if (held.SessionKey is not null && held.SessionKey != sessionKey && time.GetUtcNow() < held.ExpiresAt)
        {
            return false;
        }

        if (held.SessionKey != sessionKey || held.ExpiresAt != expiresAt || held.FacilityCode != facilityCode)
        {
            state.State = new KioskVoterState { SessionKey = sessionKey, ExpiresAt = expiresAt, FacilityCode = facilityCode };
            await state.WriteStateAsync();
        }

        return true;
    }

    async Task IKioskVoterGrain.ReleaseAsync(string sessionKey)
    {
        if (state.State.SessionKey == sessionKey)
        {
            state.State = new KioskVoterState();
            await state.WriteStateAsync();
        }
    }
}

[GenerateSerializer, Alias("civic.kiosk-voter-state")]
public sealed class KioskVoterState
{
    /// <summary>The session grain's key (the SHA-256 of its token, never the token).</summary>
    [Id(0)] public string? SessionKey { get; set; }

    [Id(1)] public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Where the session was opened (the clerk's check elsewhere names it); null for a claim stored before this was kept.</summary>
    [Id(2)] public string? FacilityCode { get; set; }
}
