using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Kiosk;
using Chiyoda.Civic.Abstractions.PaperBallots;

namespace Chiyoda.Civic.Grains.Kiosk;

/// <summary>
/// One assisted-voting session (key: the SHA-256 of its token). It holds who may vote, where, opened by whom, until
/// when, and whether its one ballot has been cast; never the choices, which go straight to the voter's
/// <see cref="IBallotGrain"/> as a ballot of channel kiosk, under the same rules as an online ballot. Every session is
/// audited when opened and when it closes (voted, expired, ended, refused), by clerk and facility: the entries are
/// delivered after the state is written and again on the next call or reminder tick until delivered (fixed entry ids,
/// so never twice). A durable reminder records the expiry of a session nobody touches again.
/// </summary>
[GrainType("kiosk-session")]
public sealed class KioskSessionGrain(
    [PersistentState("kiosk-session", StorageNames.GrainState)] IPersistentState<KioskSessionState> state,
    TimeProvider time) : Grain, IKioskSessionGrain, IRemindable
{
    public const string ReminderName = "kiosk-expiry";

    private string AuditId => KioskTokens.AuditId(this.GetPrimaryKeyString());

    private IKioskVoterGrain Voter(KioskOpening opening) => GrainFactory.GetGrain<IKioskVoterGrain>(IKioskVoterGrain.Key(opening.RoundId, opening.VoterKey));

    private IBallotGrain Ballot => GrainFactory.GetGrain<IBallotGrain>($"{state.State.Opening!.RoundId}:{state.State.Opening.VoterKey}");

    async Task<CommandResult<KioskOpened>> IKioskSessionGrain.OpenAsync(KioskOpening opening)
    {
        if (state.State.Opening is { } opened)
        {
            return opened == opening
                ? state.State.Status == KioskStatuses.Open && !Expired
                    ? CommandResult<KioskOpened>.Done(new KioskOpened(state.State.ExpiresAt))
                    : CommandResultDetail.RefusedWith(new KioskOpened(state.State.ExpiresAt), StatusCode())
                : CommandResult<KioskOpened>.Refused(KioskErrorCodes.SessionConflict, []);
        }

        var facilities = await GrainFactory.GetGrain<IPaperRoundGrain>(opening.RoundId).GetFacilitiesAsync();
        if (facilities.All(f => f.Code != opening.FacilityCode))
        {
            return CommandResult<KioskOpened>.Refused(KioskErrorCodes.FacilityNotFound, []);
        }

        // The same checks as an online ballot's: window, register, age today, paper already accepted.
        var check = await GrainFactory.GetGrain<IBallotGrain>($"{opening.RoundId}:{opening.VoterKey}").CheckOnlineAsync();
        var now = time.GetUtcNow();
        if (check.Code is { } refused)
        {
            await AuditRefusalAsync(opening, now, refused);
            return CommandResultDetail.RefusedWith(new KioskOpened(null, check.EligibleFrom), refused);
        }

        // Nothing on the ballot (no shortlist published): a session would show the voter nothing to choose and hold them for its lifetime.
        if (!await KioskChecks.HasBallotItemsAsync(GrainFactory, opening.RoundId))
        {
            await AuditRefusalAsync(opening, now, KioskErrorCodes.NoShortlist);
            return CommandResult<KioskOpened>.Refused(KioskErrorCodes.NoShortlist, []);
        }

        var expiresAt = now + KioskRules.SessionLifetime;
        if (!await Voter(opening).ClaimAsync(this.GetPrimaryKeyString(), expiresAt, opening.FacilityCode))
        {
            await AuditRefusalAsync(opening, now, KioskErrorCodes.SessionOpenElsewhere);
            return CommandResult<KioskOpened>.Refused(KioskErrorCodes.SessionOpenElsewhere, []);
        }

        state.State = new KioskSessionState
        {
            Opening = opening,
            OpenedAt = now,
            ExpiresAt = expiresAt,
            Status = KioskStatuses.Open,
            HadBallot = (await GrainFactory.GetGrain<IBallotGrain>($"{opening.RoundId}:{opening.VoterKey}").GetAsync()).Counted is not null,
        };
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ReminderName, KioskRules.SessionLifetime + TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));
        await DeliverAuditAsync();
        return CommandResult<KioskOpened>.Done(new KioskOpened(state.State.ExpiresAt));
    }

    async Task<KioskSessionView> IKioskSessionGrain.GetAsync()
    {
        if (state.State.Opening is null)
        {
            return new KioskSessionView(KioskStatuses.None, null, null);
        }

        await ExpireIfDueAsync();
        await DeliverAuditAsync();
        return new KioskSessionView(state.State.Status, state.State.Opening.RoundId, state.State.ExpiresAt, state.State.HadBallot);
    }

    async Task<BallotResult> IKioskSessionGrain.CastAsync(string idempotencyKey, IReadOnlyList<int> choices)
    {
        if (state.State.Opening is null)
        {
            return BallotResult.Refused(KioskErrorCodes.SessionNotFound);
        }

        await DeliverAuditAsync();
        if (state.State.Status == KioskStatuses.Voted)
        {
            // The same request again (its answer was lost): the ballot grain replays the receipt, or refuses a different body.
            return state.State.BallotRequest == idempotencyKey
                ? await Ballot.CastOnlineAsync(new OnlineBallot(idempotencyKey, choices, null, BallotChannel.Kiosk))
                : BallotResult.Refused(KioskErrorCodes.SessionUsed);
        }

        if (await ExpireIfDueAsync() || state.State.Status != KioskStatuses.Open)
        {
            return BallotResult.Refused(StatusCode());
        }

        var result = await Ballot.CastOnlineAsync(new OnlineBallot(idempotencyKey, choices, null, BallotChannel.Kiosk));
        if (result.Accepted)
        {
            await CloseAsync(KioskStatuses.Voted, "ballot recorded", idempotencyKey);
        }
        else if (result.Code is not (BallotErrorCodes.NoChoice or BallotErrorCodes.TooManyChoices or BallotErrorCodes.DuplicateChoice
                 or BallotErrorCodes.UnknownProposal or BallotErrorCodes.RateLimited))
        {
            // Nothing the voter can correct on this device (the window closed, paper was accepted meanwhile...): the session ends.
            await CloseAsync(KioskStatuses.Ended, $"refused: {result.Code}");
        }

        return result;
    }

    async Task IKioskSessionGrain.EndAsync(string by)
    {
        if (state.State.Opening is not null && !await ExpireIfDueAsync() && state.State.Status == KioskStatuses.Open)
        {
            await CloseAsync(KioskStatuses.Ended, $"ended without a ballot by the {by}");
        }

        await DeliverAuditAsync();
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Opening is not null)
        {
            await ExpireIfDueAsync();
            await DeliverAuditAsync();
        }

        if (state.State.Opening is null || (state.State.Status != KioskStatuses.Open && state.State.CloseAudited))
        {
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
    }

    private Task AuditRefusalAsync(KioskOpening opening, DateTimeOffset now, string code) =>
        new GrainAuditLog(GrainFactory).AppendAsync(opening.RoundId, new AuditEntry($"kiosk:{AuditId}:open-refused", now,
            opening.ClerkSub, opening.ClerkName, "kiosk.open-refused", $"kiosk-session:{AuditId}", null,
            $"facility {opening.FacilityCode}; voter {opening.VoterKey}; refused: {code}"));

    private bool Expired => time.GetUtcNow() >= state.State.ExpiresAt;

    private string StatusCode() => state.State.Status switch
    {
        KioskStatuses.Voted => KioskErrorCodes.SessionUsed,
        KioskStatuses.Ended => KioskErrorCodes.SessionEnded,
        _ => KioskErrorCodes.SessionExpired,
    };

    /// <summary>An open session past its time becomes expired (stored and audited); answers whether it is expired now.</summary>
    private async Task<bool> ExpireIfDueAsync()
    {
        if (state.State.Status == KioskStatuses.Open && Expired)
        {
            await CloseAsync(KioskStatuses.Expired, "expired without a ballot");
        }

        return state.State.Status == KioskStatuses.Expired;
    }

    private async Task CloseAsync(string status, string outcome, string? ballotRequest = null)
    {
        state.State.Status = status;
        state.State.Outcome = outcome;
        state.State.ClosedAt = time.GetUtcNow();
        state.State.BallotRequest = ballotRequest;
        await state.WriteStateAsync();
        await Voter(state.State.Opening!).ReleaseAsync(this.GetPrimaryKeyString());
        await DeliverAuditAsync();
    }

    /// <summary>The audit actor of what happens on a facility's device after the clerk stepped away.</summary>
    public static string KioskDeviceActor(string facilityCode) => $"kiosk-device:{facilityCode}";

    /// <summary>The opening and the close as audit entries: clerk, facility, times and outcome; never choices.</summary>
    private async Task DeliverAuditAsync()
    {
        var s = state.State;
        var opening = s.Opening!;
        var log = new GrainAuditLog(GrainFactory);
        var changed = false;
        if (!s.OpenAudited)
        {
            await log.AppendAsync(opening.RoundId, new AuditEntry($"kiosk:{AuditId}:opened", s.OpenedAt, opening.ClerkSub, opening.ClerkName,
                "kiosk.session-opened", $"kiosk-session:{AuditId}", null,
                $"facility {opening.FacilityCode}; voter {opening.VoterKey}; expires {WardClock.ToWardTime(s.ExpiresAt):yyyy-MM-dd'T'HH:mm:sszzz}"));
            s.OpenAudited = changed = true;
        }

        if (s.Status != KioskStatuses.Open && !s.CloseAudited)
        {
            // The close is the voter's doing (or the clock's), not the clerk's: listed under the facility's device, with the
            // clerk who opened the session named in the details.
            var closedAt = s.ClosedAt ?? time.GetUtcNow();
            await log.AppendAsync(opening.RoundId, new AuditEntry($"kiosk:{AuditId}:closed", closedAt,
                KioskDeviceActor(opening.FacilityCode), $"施設の端末 {opening.FacilityCode}",
                $"kiosk.session-{s.Status}", $"kiosk-session:{AuditId}", "open",
                $"facility {opening.FacilityCode}; {s.Outcome}; opened by {opening.ClerkName} ({opening.ClerkSub}); at {WardClock.ToWardTime(closedAt):yyyy-MM-dd'T'HH:mm:sszzz}"));
            s.CloseAudited = changed = true;
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }
    }
}

[GenerateSerializer, Alias("civic.kiosk-session-state")]
public sealed class KioskSessionState
{
    [Id(0)] public KioskOpening? Opening { get; set; }

    [Id(1)] public DateTimeOffset OpenedAt { get; set; }

    [Id(2)] public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>One of <see cref="KioskStatuses"/>.</summary>
    [Id(3)] public string Status { get; set; } = KioskStatuses.None;

    /// <summary>What closed the session, in words for the audit log (never choices).</summary>
    [Id(4)] public string? Outcome { get; set; }

    [Id(5)] public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>The idempotency key of the ballot cast in this session, so a retry of that very request is answered again.</summary>
    [Id(6)] public string? BallotRequest { get; set; }

    [Id(7)] public bool OpenAudited { get; set; }

    [Id(8)] public bool CloseAudited { get; set; }

    /// <summary>Whether the voter already had a counted ballot when the session opened (the device tells them a new one replaces it).</summary>
    [Id(9)] public bool HadBallot { get; set; }
}
