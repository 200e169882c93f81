using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Web.Ballots;

/// <summary>The voter behind a request: their subject (for the inbox) and register key (for the ballot), if they have one.</summary>
public sealed record Voter(string Subject, string? VoterKey)
{
    public const string VoterKeyClaim = "voter_key";

    public static Voter? From(ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value is { } subject ? new Voter(subject, user.FindFirst(VoterKeyClaim)?.Value) : null;
}

/// <summary>Casting and reading a voter's own ballot; pages and the API both come through here.</summary>
public sealed class BallotService(IGrainFactory grains, ILogger<BallotService> logger)
{
    public Task<BallotResult> CastAsync(string roundId, Voter voter, string idempotencyKey, IReadOnlyList<int> choices)
    {
        if (voter.VoterKey is null || !RoundValidation.IsValidRoundId(roundId))
        {
            return Task.FromResult(BallotResult.Refused(voter.VoterKey is null ? BallotErrorCodes.NotOnRegister : BallotErrorCodes.RoundNotFound));
        }

        return CastAndNotifyAsync(roundId, voter, idempotencyKey, choices);
    }

    /// <summary>Whether the voter may cast or change an online ballot now, and if not, why.</summary>
    public async Task<BallotResult> CheckAsync(string roundId, Voter voter) =>
        voter.VoterKey is null
            ? BallotResult.Refused(BallotErrorCodes.NotOnRegister)
            : !RoundValidation.IsValidRoundId(roundId)
                ? BallotResult.Refused(BallotErrorCodes.RoundNotFound)
                : await grains.GetGrain<IBallotGrain>(BallotKey(roundId, voter.VoterKey)).CheckOnlineAsync();

    public async Task<BallotView?> GetAsync(string roundId, Voter voter) =>
        voter.VoterKey is null || !RoundValidation.IsValidRoundId(roundId)
            ? null
            : await grains.GetGrain<IBallotGrain>(BallotKey(roundId, voter.VoterKey)).GetAsync();

    public static string BallotKey(string roundId, string voterKey) => $"{roundId}:{voterKey}";

    private async Task<BallotResult> CastAndNotifyAsync(string roundId, Voter voter, string idempotencyKey, IReadOnlyList<int> choices)
    {
        var result = await grains.GetGrain<IBallotGrain>(BallotKey(roundId, voter.VoterKey!)).CastOnlineAsync(new OnlineBallot(idempotencyKey, choices, voter.Subject));
        if (result.Receipt is { } receipt)
        {
            // The ballot is already stored and the receipt is on the voter's screen; the inbox copy is
            // a courtesy and must not hold up or fail the vote. Delivery is idempotent by receipt code.
            _ = DeliverReceiptAsync(roundId, voter.Subject, receipt);
        }

        return result;
    }

    private async Task DeliverReceiptAsync(string roundId, string subject, BallotReceipt receipt)
    {
        try
        {
            var numbers = string.Join(", ", receipt.Choices);
            await grains.GetGrain<INotificationInboxGrain>(subject).DeliverAsync(new Notice(
                $"ballot:{roundId}:{receipt.Code}", receipt.CastAt, "ballot-receipt", roundId,
                "投票を受け付けました", "Your ballot was received",
                $"受付番号 {receipt.Code}。選んだ提案の番号：{numbers}。投票期間中は変更できます。",
                $"Receipt {receipt.Code}. Ballot numbers chosen: {numbers}. You may change it until voting closes.",
                $"/rounds/{roundId}/ballot"));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Inbox copy of receipt {Receipt} not delivered", receipt.Code);
        }
    }
}
