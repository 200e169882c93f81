using Chiyoda.Civic.Abstractions.Register;
using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Ballots;

/// <summary>The voter behind a request: their subject (for the inbox) and register key (for the ballot), if they have one.</summary>
public sealed record Voter(string Subject, string? VoterKey)
{
    public const string VoterKeyClaim = "voter_key";

    /// <summary>The claim's key is read as every other way in reads it (<see cref="VoterKeys"/>), so it finds its register line.</summary>
    public static Voter? From(ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value is { } subject
            ? new Voter(subject, user.FindFirst(VoterKeyClaim)?.Value is { Length: > 0 } key ? VoterKeys.Normalize(key) : null)
            : null;
}

/// <summary>Casting and reading a voter's own ballot; pages and the API both come through here.</summary>
public sealed class BallotService(IGrainFactory grains, KnownRounds rounds)
{
    /// <summary>
    /// Casts or changes the voter's online ballot. The receipt reaches the voter's inbox without a write
    /// of its own: <see cref="Notifications.NotificationService"/> reads it from the ballot.
    /// </summary>
    public async Task<BallotResult> CastAsync(string roundId, Voter voter, string idempotencyKey, IReadOnlyList<int> choices) =>
        voter.VoterKey is null ? BallotResult.Refused(BallotErrorCodes.NotOnRegister)
        : !await rounds.ExistsAsync(roundId) ? BallotResult.Refused(BallotErrorCodes.RoundNotFound)
        : await grains.GetGrain<IBallotGrain>(BallotKey(roundId, voter.VoterKey)).CastOnlineAsync(new OnlineBallot(idempotencyKey, choices, voter.Subject));

    /// <summary>Whether the voter may cast or change an online ballot now, and if not, why.</summary>
    public async Task<BallotResult> CheckAsync(string roundId, Voter voter) =>
        voter.VoterKey is null
            ? BallotResult.Refused(BallotErrorCodes.NotOnRegister)
            : !await rounds.ExistsAsync(roundId)
                ? BallotResult.Refused(BallotErrorCodes.RoundNotFound)
                : await grains.GetGrain<IBallotGrain>(BallotKey(roundId, voter.VoterKey)).CheckOnlineAsync();

    public async Task<BallotView?> GetAsync(string roundId, Voter voter) =>
        voter.VoterKey is null || !await rounds.ExistsAsync(roundId)
            ? null
            : await grains.GetGrain<IBallotGrain>(BallotKey(roundId, voter.VoterKey)).GetAsync();

    public static string BallotKey(string roundId, string voterKey) => $"{roundId}:{voterKey}";
}
