using Chiyoda.Civic.Abstractions.Common;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Satisfaction;

/// <summary>Where the rating was given: the ballot page after voting, or the results page.</summary>
[GenerateSerializer, Alias("civic.satisfaction-source")]
public enum SatisfactionSource
{
    AfterVoting = 0,
    Results = 1,
}

/// <summary>
/// One anonymous answer to 「満足度」 (1 = not satisfied .. 5 = satisfied), with an optional comment. It carries no account,
/// no ballot and no time finer than the ward day, and is stored only inside per-day counts (the comment apart), so nothing
/// links it to the person who gave it.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.satisfaction-answer")]
public sealed record SatisfactionAnswer(
    [property: Id(0)] int Rating,
    [property: Id(1)] string? Comment,
    [property: Id(2)] DateOnly Day,
    [property: Id(3)] SatisfactionSource Source,
    [property: Id(4)] bool Voter = true);

/// <summary>A comment as kept: its rating, the day and where it was given; never who wrote it.</summary>
[GenerateSerializer, Immutable, Alias("civic.satisfaction-comment")]
public sealed record SatisfactionComment(
    [property: Id(0)] int Rating,
    [property: Id(1)] string Text,
    [property: Id(2)] DateOnly Day,
    [property: Id(3)] SatisfactionSource Source);

/// <summary>
/// The answers a shard (or a whole round) holds: the voters' counts per rating (index 0 is rating 1), how many of them
/// answered after voting and on the results page, the counts of people without a counted ballot (or whose ballot is no longer
/// known: answers from the results page only, kept apart), and the comments.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.satisfaction-tally")]
public sealed record SatisfactionTally(
    [property: Id(0)] IReadOnlyList<int> Counts,
    [property: Id(1)] int AfterVoting,
    [property: Id(2)] int Results,
    [property: Id(3)] IReadOnlyList<SatisfactionComment> Comments,
    [property: Id(4)] IReadOnlyList<int>? NonVoterCounts = null)
{
    public static SatisfactionTally Empty { get; } = new([0, 0, 0, 0, 0], 0, 0, [], [0, 0, 0, 0, 0]);

    /// <summary>Voters' answers.</summary>
    public int Count => Counts.Sum();

    public IReadOnlyList<int> NonVoters => NonVoterCounts ?? [0, 0, 0, 0, 0];

    /// <summary>Every answer, voters' and the others'.</summary>
    public int Total => Count + NonVoters.Sum();

    /// <summary>The counts alone (no comments): what a published snapshot keeps.</summary>
    public SatisfactionTally WithoutComments() => this with { Comments = [], NonVoterCounts = [.. NonVoters] };

    public static SatisfactionTally Sum(IEnumerable<SatisfactionTally> tallies)
    {
        var list = tallies.ToList();
        return new([.. Enumerable.Range(0, SatisfactionRules.Scale).Select(i => list.Sum(t => t.Counts.ElementAtOrDefault(i)))],
            list.Sum(t => t.AfterVoting), list.Sum(t => t.Results),
            [.. list.SelectMany(t => t.Comments).OrderBy(c => c.Day).ThenBy(c => c.Rating).ThenBy(c => c.Text, StringComparer.Ordinal)],
            [.. Enumerable.Range(0, SatisfactionRules.Scale).Select(i => list.Sum(t => t.NonVoters.ElementAtOrDefault(i)))]);
    }
}

/// <summary>One group's published figures: count, distribution per rating (cells of 1..9 hidden), mean and share satisfied from 10 up.</summary>
public sealed record SatisfactionFigures(int Count, IReadOnlyList<int?> Distribution, decimal? Mean, decimal? SatisfiedShare)
{
    public bool Suppressed => Distribution.Any(d => d is null);

    public static SatisfactionFigures From(IReadOnlyList<int> counts)
    {
        var count = counts.Sum();
        var enough = count >= SatisfactionRules.MinimumCell;
        return new(count, SatisfactionRules.Suppress(counts),
            enough ? (decimal?)Math.Round((decimal)counts.Select((c, i) => c * (i + 1)).Sum() / count, 2, MidpointRounding.AwayFromZero) : null,
            enough ? (decimal?)Math.Round(100m * (counts[3] + counts[4]) / count, 1, MidpointRounding.AwayFromZero) : null);
    }
}

/// <summary>
/// The published aggregate of a round's ratings. Cells under <see cref="SatisfactionRules.MinimumCell"/> are hidden (null),
/// and when only one would be hidden the next smallest is hidden too; the mean and the share of 4 and 5 are given only
/// from <see cref="SatisfactionRules.MinimumCell"/> answers up.
/// </summary>
/// <remarks>
/// The figures are those of the voters (people with a counted ballot in the round); <see cref="NonVoters"/> are the answers
/// from the results page of people without one (or whose ballot is no longer linked to them), counted apart.
/// </remarks>
public sealed record SatisfactionSummary(
    int Count,
    IReadOnlyList<int?> Distribution,
    decimal? Mean,
    decimal? SatisfiedShare,
    int? AfterVoting,
    int? Results,
    SatisfactionFigures NonVoters)
{
    public bool Suppressed => Distribution.Any(d => d is null);

    public static SatisfactionSummary Empty { get; } = From(SatisfactionTally.Empty);

    public static SatisfactionSummary From(SatisfactionTally tally)
    {
        var voters = SatisfactionFigures.From([.. tally.Counts]);
        return new(voters.Count, voters.Distribution, voters.Mean, voters.SatisfiedShare,
            SatisfactionRules.SuppressOne(tally.AfterVoting), SatisfactionRules.SuppressOne(tally.Results),
            SatisfactionFigures.From([.. tally.NonVoters]));
    }
}

public static class SatisfactionErrorCodes
{
    public const string InvalidRating = "invalid-rating";
    public const string InvalidComment = "invalid-comment";
    public const string InvalidSource = "invalid-source";
    public const string AlreadyRated = "already-rated";
    public const string NotYet = "satisfaction-not-open";
    public const string NoBallot = "no-ballot";
    public const string NotPublished = "results-not-published";
}

public static class SatisfactionRules
{
    public const int Scale = 5;
    public const int CommentMaxLength = 200;
    public const int ShardCount = 8;

    /// <summary>Comments kept per shard (~300 bytes each): beyond it a rating still counts, its comment is not kept.</summary>
    public const int MaxCommentsPerShard = 1_000;

    /// <summary>
    /// The published figures of a round change only when at least this many answers have arrived since the last published
    /// snapshot: reading before and after one person answers shows nothing new, so nobody's answer can be worked out.
    /// </summary>
    public const int PublishStep = 10;

    /// <summary>No published cell counts fewer people than this (the same rule as the results' age bands).</summary>
    public const int MinimumCell = SmallCells.Minimum;

    public static bool IsValidRating(int rating) => rating is >= 1 and <= Scale;

    /// <summary>The comment as stored: trimmed, line breaks and other control characters as spaces; null when empty.</summary>
    public static string? CleanComment(string? comment)
    {
        if (string.IsNullOrWhiteSpace(comment))
        {
            return null;
        }

        return string.Concat(comment.Trim().Select(c => char.IsControl(c) ? ' ' : c));
    }

    public static IReadOnlyList<ValidationError> Validate(int rating, string? comment)
    {
        var errors = new List<ValidationError>();
        if (!IsValidRating(rating))
        {
            errors.Add(new("rating", SatisfactionErrorCodes.InvalidRating, $"The rating is a whole number from 1 to {Scale}."));
        }

        if (CleanComment(comment) is { } text && text.Length > CommentMaxLength)
        {
            errors.Add(new("comment", SatisfactionErrorCodes.InvalidComment, $"The comment is at most {CommentMaxLength} characters."));
        }

        return errors;
    }

    public static IReadOnlyList<int?> Suppress(IReadOnlyList<int> counts) => SmallCells.Suppress(counts);

    public static int? SuppressOne(int count) => SmallCells.One(count);

    /// <summary>The key of the "has rated" marks: apart from the answers, with no order and nothing about the answer.</summary>
    public static string RaterShardKey(string roundId, string raterHash) => $"{roundId}:{ShardHash.Shard(raterHash, 16)}";
}

/// <summary>
/// A share of one round's anonymous ratings (key <c>{roundId}:{0..7}</c>, a shard picked at random per answer): counts per day,
/// source and rating, and the comments. No identifier of any kind is stored with an answer.
/// </summary>
[Alias("civic.ISatisfactionShardGrain")]
public interface ISatisfactionShardGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task AddAsync(SatisfactionAnswer answer);

    [Alias("get"), ReadOnly]
    Task<SatisfactionTally> GetAsync();
}

/// <summary>
/// Who has rated in a round (key <c>{roundId}:{0..15}</c>): a sorted set of salted hashes of accounts, kept apart from the
/// answers and holding nothing about them, so one person rates once.
/// </summary>
[Alias("civic.ISatisfactionRatersGrain")]
public interface ISatisfactionRatersGrain : IGrainWithStringKey
{
    /// <summary>Marks the person as having rated; false when they already had.</summary>
    [Alias("mark")]
    Task<bool> MarkAsync(string raterHash);

    [Alias("has-rated"), ReadOnly]
    Task<bool> HasRatedAsync(string raterHash);
}

/// <summary>
/// The published aggregate of a round's answers (key: round id): a snapshot of the shards' counts, replaced only when
/// <see cref="SatisfactionRules.PublishStep"/> or more answers have arrived since it was taken. Every public figure
/// (the satisfaction API, 「統計」, statistics.json and .csv) is built from it, never from the live counts.
/// </summary>
[Alias("civic.ISatisfactionSnapshotGrain")]
public interface ISatisfactionSnapshotGrain : IGrainWithStringKey
{
    /// <summary>The snapshot (counts only, no comments); an empty tally before the first step.</summary>
    [Alias("get"), ReadOnly]
    Task<SatisfactionTally> GetAsync();

    /// <summary>Takes a new snapshot when the shards hold a step more answers than the last one; true when it did.</summary>
    [Alias("refresh")]
    Task<bool> RefreshAsync();
}
