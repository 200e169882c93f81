using System.Security.Cryptography;
using System.Text;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Web.Ballots;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Satisfaction;

/// <summary>What a person may do about 「満足度」 in a round now.</summary>
public enum RatingState
{
    /// <summary>No such round, or not open for rating from here.</summary>
    Closed,
    Open,
    AlreadyRated,
}

/// <summary>The outcome of a rating: null code when it was counted.</summary>
public sealed record RatingResult(string? Code, IReadOnlyList<ValidationError> Errors)
{
    public bool Succeeded => Code is null;

    public static RatingResult Refused(string code, string message, string field = "") => new(code, [new(field, code, message)]);
}

/// <summary>
/// The anonymous 「満足度」 rating: one per person and round, after voting (the ballot page) or on the results page. The
/// "has rated" mark and the answer go to different grains and share nothing: the mark is a hash of the account, the
/// answer a rating, an optional comment and the ward day, added to the counts of a shard picked at random.
/// </summary>
public sealed class SatisfactionService(IGrainFactory grains, KnownRounds rounds, BallotService ballots, TimeProvider time)
{
    /// <summary>May this person rate from <paramref name="source"/> now? After voting: they have a counted ballot. Results: they are published.</summary>
    public async Task<(RatingState State, string? Code)> StateAsync(string roundId, Voter person, SatisfactionSource source)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return (RatingState.Closed, "round-not-found");
        }

        if (source == SatisfactionSource.Results)
        {
            if (!(await grains.GetGrain<IResultsGrain>(roundId).GetAsync()).IsPublished)
            {
                return (RatingState.Closed, SatisfactionErrorCodes.NotPublished);
            }
        }
        else if ((await ballots.GetAsync(roundId, person))?.Counted is null)
        {
            return (RatingState.Closed, SatisfactionErrorCodes.NoBallot);
        }

        return await Raters(roundId, person.Subject).HasRatedAsync(RaterHash(roundId, person.Subject))
            ? (RatingState.AlreadyRated, SatisfactionErrorCodes.AlreadyRated)
            : (RatingState.Open, null);
    }

    public async Task<RatingResult> RateAsync(string roundId, Voter person, SatisfactionSource source, int rating, string? comment)
    {
        var errors = SatisfactionRules.Validate(rating, comment);
        if (errors.Count > 0)
        {
            return new RatingResult(errors[0].Code, errors);
        }

        var (state, code) = await StateAsync(roundId, person, source);
        switch (state)
        {
            case RatingState.AlreadyRated:
                return RatingResult.Refused(SatisfactionErrorCodes.AlreadyRated, "You have already answered for this round: each person answers once.");
            case RatingState.Closed:
                return RatingResult.Refused(code!, code switch
                {
                    "round-not-found" => "There is no such round.",
                    SatisfactionErrorCodes.NotPublished => "The results of this round are not published yet: rate from the results page once they are.",
                    _ => "Only a person whose ballot is recorded in this round rates after voting.",
                });
        }

        // The mark first: if storing the answer then fails, the person has lost their answer, never answered twice.
        var hash = RaterHash(roundId, person.Subject);
        if (!await Raters(roundId, person.Subject).MarkAsync(hash))
        {
            return RatingResult.Refused(SatisfactionErrorCodes.AlreadyRated, "You have already answered for this round: each person answers once.");
        }

        var shard = RandomNumberGenerator.GetInt32(SatisfactionRules.ShardCount);
        await grains.GetGrain<ISatisfactionShardGrain>($"{roundId}:{shard}")
            .AddAsync(new SatisfactionAnswer(rating, SatisfactionRules.CleanComment(comment), WardClock.Today(time), source));
        return new RatingResult(null, []);
    }

    /// <summary>Every answer of the round summed (comments included: for administrators only).</summary>
    public async Task<SatisfactionTally> TallyAsync(string roundId) =>
        SatisfactionTally.Sum(await Task.WhenAll(Enumerable.Range(0, SatisfactionRules.ShardCount)
            .Select(n => grains.GetGrain<ISatisfactionShardGrain>($"{roundId}:{n}").GetAsync())));

    /// <summary>The round's aggregate, only once its results are published (null before, or without such a round).</summary>
    public async Task<SatisfactionSummary?> PublishedSummaryAsync(string roundId) =>
        await rounds.ExistsAsync(roundId) && (await grains.GetGrain<IResultsGrain>(roundId).GetAsync()).IsPublished
            ? SatisfactionSummary.From(await TallyAsync(roundId))
            : null;

    private ISatisfactionRatersGrain Raters(string roundId, string sub) =>
        grains.GetGrain<ISatisfactionRatersGrain>(SatisfactionRules.RaterShardKey(roundId, RaterHash(roundId, sub)));

    /// <summary>128 bits of SHA-256 over round and account: enough to tell one person from another, and not the account itself.</summary>
    private static string RaterHash(string roundId, string sub) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"civic-satisfaction\n{roundId}\n{sub}")))[..32].ToLowerInvariant();
}
