using System.Security.Cryptography;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Satisfaction;
using Chiyoda.Civic.Web.Ballots;
using Chiyoda.Civic.Web.Caching;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.OutputCaching;

namespace Chiyoda.Civic.Web.Satisfaction;

/// <summary>What a person may do about 「満足度」 in a round now.</summary>
public enum RatingState
{
    /// <summary>No such round, or not open for rating from here.</summary>
    Closed,
    Open,
    AlreadyRated,
}

/// <summary>A counted answer: whether it was counted among the voters (a counted ballot of theirs) or apart.</summary>
public sealed record RatingCounted(bool Counted, bool AsVoter);

/// <summary>
/// The anonymous 「満足度」 rating: one per person and round, only from people on the round's register who were old enough
/// to vote in it, after voting (the ballot page) or on the results page. The "has rated" mark and the answer go to
/// different grains and share nothing: the mark is a keyed hash of round and register key (<see cref="RaterMarks"/>), the
/// answer a rating, an optional comment and the ward day, added to the counts of a shard picked at random. The public
/// figures come from <see cref="ISatisfactionSnapshotGrain"/> only, which moves in steps of <see cref="MinimumAnswers"/> answers,
/// and are published as one total only from that many answers (<see cref="SatisfactionSummary"/>).
/// </summary>
public sealed class SatisfactionService(IGrainFactory grains, KnownRounds rounds, BallotService ballots, TimeProvider time, IOutputCacheStore cache,
    Microsoft.Extensions.Options.IOptions<SatisfactionOptions> options, RaterMarks marks)
{
    /// <summary>The fewest answers a published satisfaction figure stands for (<c>Satisfaction:MinimumAnswers</c>, default 30).</summary>
    public int MinimumAnswers => options.Value.Threshold;

    /// <summary>The published summary of a snapshot: one total, or nothing below <see cref="MinimumAnswers"/>.</summary>
    public SatisfactionSummary Summarize(SatisfactionTally published) => SatisfactionSummary.From(published, MinimumAnswers);

    /// <summary>
    /// May this person rate from <paramref name="source"/> now? Only people on the round's register who were old enough to
    /// vote in it (the residents whose opinion the figure stands for; anyone else could push it either way with accounts of
    /// their own), checked first for both sources, so one person gets one code. After voting: only with a counted ballot of theirs. Results: once the results are published (a person
    /// without a counted ballot is counted apart, as a non-voter).
    /// </summary>
    public async Task<(RatingState State, string? Code)> StateAsync(string roundId, Voter person, SatisfactionSource source)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return (RatingState.Closed, "round-not-found");
        }

        // Who may answer at all comes first, whichever page asks: a person not on the register (or too young) is told so from
        // both, by the check and by the answer alike, never "no ballot" from one and "not on the register" from the other.
        if (await MayVoteAsync(roundId, person) is { } refused)
        {
            return (RatingState.Closed, refused);
        }

        if (source == SatisfactionSource.Results)
        {
            if (!(await grains.GetGrain<IResultsGrain>(roundId).GetAsync()).IsPublished)
            {
                return (RatingState.Closed, SatisfactionErrorCodes.NotYet);
            }
        }
        else if ((await ballots.GetAsync(roundId, person))?.Counted is null)
        {
            return (RatingState.Closed, SatisfactionErrorCodes.NoBallot);
        }

        return await HasRatedAsync(roundId, person)
            ? (RatingState.AlreadyRated, SatisfactionErrorCodes.AlreadyRated)
            : (RatingState.Open, null);
    }

    /// <summary>Null when the person is on the round's register and had reached the voting age by its last day of voting; else why not.</summary>
    private Task<string?> MayVoteAsync(string roundId, Voter person) => RoundVoters.RefusalAsync(grains, roundId, person);

    public async Task<CommandResult<RatingCounted>> RateAsync(string roundId, Voter person, SatisfactionSource source, int rating, string? comment)
    {
        var errors = SatisfactionRules.Validate(rating, comment);
        if (errors.Count > 0)
        {
            return CommandResult<RatingCounted>.Refused(errors[0].Code, errors);
        }

        var (state, code) = await StateAsync(roundId, person, source);
        switch (state)
        {
            case RatingState.AlreadyRated:
                return CommandResult<RatingCounted>.Refused(SatisfactionErrorCodes.AlreadyRated, "You have already answered for this round: each person answers once.");
            case RatingState.Closed:
                return CommandResult<RatingCounted>.Refused(code!, code switch
                {
                    "round-not-found" => "There is no such round.",
                    SatisfactionErrorCodes.NotYet => "The results of this round are not published yet: rate from the results page once they are.",
                    BallotErrorCodes.NotOnRegister => "Only residents on this round's voter register answer its satisfaction survey.",
                    BallotErrorCodes.UnderAge => "Only residents who were old enough to vote in this round answer its satisfaction survey.",
                    _ => "Only a person whose ballot is recorded in this round rates after voting; anyone on its register may answer on the published results page.",
                }, code is "round-not-found" or BallotErrorCodes.NotOnRegister or BallotErrorCodes.UnderAge ? "" : "source");
        }

        // After voting the ballot was just checked; on the results page a person without a counted ballot (or whose ballot
        // is no longer linked to them) is counted apart, so the voters' figures are voters' only.
        var asVoter = source == SatisfactionSource.AfterVoting || (await ballots.GetAsync(roundId, person))?.Counted is not null;

        // The mark first: if storing the answer then fails, the person has lost their answer, never answered twice.
        // Only people on the register get here, so the mark is of the register key: one per person even with two accounts.
        var hash = marks.Of(roundId, person.VoterKey!);
        if (!await Raters(roundId, hash).MarkAsync(hash))
        {
            return CommandResult<RatingCounted>.Refused(SatisfactionErrorCodes.AlreadyRated, "You have already answered for this round: each person answers once.");
        }

        var shard = RandomNumberGenerator.GetInt32(SatisfactionRules.ShardCount);
        await grains.GetGrain<ISatisfactionShardGrain>($"{roundId}:{shard}")
            .AddAsync(new SatisfactionAnswer(rating, SatisfactionRules.CleanComment(comment), WardClock.Today(time), source, asVoter));
        await RefreshAsync(roundId);
        return CommandResult<RatingCounted>.Done(new RatingCounted(true, asVoter));
    }

    /// <summary>Takes the next published snapshot when a step of answers has arrived, and drops the cached public figures then.</summary>
    private async Task RefreshAsync(string roundId)
    {
        if (await grains.GetGrain<ISatisfactionSnapshotGrain>(roundId).RefreshAsync())
        {
            await cache.EvictByTagAsync(PublicCache.StatisticsTag, CancellationToken.None);
        }
    }

    /// <summary>The published counts of a round (a snapshot in steps of <see cref="MinimumAnswers"/> answers; rounds answered before snapshots existed take their first on read).</summary>
    public async Task<SatisfactionTally> PublishedTallyAsync(string roundId)
    {
        var snapshot = grains.GetGrain<ISatisfactionSnapshotGrain>(roundId);
        var tally = await snapshot.GetAsync();
        if (tally.Total == 0)
        {
            await RefreshAsync(roundId);
            tally = await snapshot.GetAsync();
        }

        return tally;
    }

    /// <summary>Every answer of the round summed (comments included: for administrators only).</summary>
    public async Task<SatisfactionTally> TallyAsync(string roundId) =>
        SatisfactionTally.Sum(await Task.WhenAll(Enumerable.Range(0, SatisfactionRules.ShardCount)
            .Select(n => grains.GetGrain<ISatisfactionShardGrain>($"{roundId}:{n}").GetAsync())));

    /// <summary>The round's published aggregate, only once its results are published (null before, or without such a round).</summary>
    public async Task<SatisfactionSummary?> PublishedSummaryAsync(string roundId) =>
        await IsPublishedAsync(roundId) ? Summarize(await PublishedTallyAsync(roundId)) : null;

    public async Task<bool> IsPublishedAsync(string roundId) =>
        await rounds.ExistsAsync(roundId) && (await grains.GetGrain<IResultsGrain>(roundId).GetAsync()).IsPublished;

    /// <summary>The keyed mark of the register key, or a mark written before the key existed (of the account, unkeyed).</summary>
    private async Task<bool> HasRatedAsync(string roundId, Voter person)
    {
        if (person.VoterKey is { } voterKey)
        {
            var hash = marks.Of(roundId, voterKey);
            if (await Raters(roundId, hash).HasRatedAsync(hash))
            {
                return true;
            }
        }

        var legacy = RaterMarks.Legacy(roundId, person.Subject);
        return await Raters(roundId, legacy).HasRatedAsync(legacy);
    }

    private ISatisfactionRatersGrain Raters(string roundId, string hash) =>
        grains.GetGrain<ISatisfactionRatersGrain>(SatisfactionRules.RaterShardKey(roundId, hash));
}
