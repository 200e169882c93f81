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

/// <summary>
/// A round's (or a fiscal year's) published 「満足度」: one total, every answer merged (voters' and non-voters'), published
/// whole or not at all. With fewer than <see cref="MinimumAnswers"/> answers nothing is published but that fact: no count,
/// no cell, no mean, no share. From that many up, the five cells, the mean and the share satisfied (4 or 5).
/// </summary>
/// <remarks>
/// Why one total and a high floor: a breakdown into small groups, or a derived figure (mean, share) beside hidden cells, lets
/// someone who controls all but one answer of a group read the last one (nine 1s and one 5 give "mean 1.40, 10 % satisfied").
/// To learn one person's rating from a published total, one must control all the others, i.e. at least
/// <see cref="MinimumAnswers"/> − 1 answers of people with accounts; and the published figures move only in steps of that many
/// answers (<see cref="ISatisfactionSnapshotGrain"/>), so a difference between two readings is such a group too.
/// </remarks>
public sealed record SatisfactionSummary(
    bool Published,
    int? Count,
    IReadOnlyList<int>? Distribution,
    decimal? Mean,
    decimal? SatisfiedShare,
    int MinimumAnswers)
{
    public static SatisfactionSummary NotPublished(int minimumAnswers) => new(false, null, null, null, null, minimumAnswers);

    public static SatisfactionSummary From(SatisfactionTally tally, int minimumAnswers)
    {
        int[] all = [.. Enumerable.Range(0, SatisfactionRules.Scale).Select(i => tally.Counts.ElementAtOrDefault(i) + tally.NonVoters.ElementAtOrDefault(i))];
        var total = all.Sum();
        if (total == 0 || total < minimumAnswers)
        {
            return NotPublished(minimumAnswers);
        }

        return new(true, total, all,
            Math.Round((decimal)all.Select((c, i) => c * (i + 1)).Sum() / total, 2, MidpointRounding.AwayFromZero),
            Math.Round(100m * (all[3] + all[4]) / total, 1, MidpointRounding.AwayFromZero),
            minimumAnswers);
    }
}

/// <summary>Settings of 「満足度」 (section <c>Satisfaction</c>).</summary>
public sealed class SatisfactionOptions
{
    public const string Section = "Satisfaction";

    /// <summary>
    /// A round's satisfaction is published only from this many answers (all merged), and its published figures move only in
    /// steps of this many. Default 30; values under <see cref="SmallCells.Minimum"/> are raised to it.
    /// </summary>
    public int MinimumAnswers { get; set; } = SatisfactionRules.DefaultMinimumAnswers;

    public int Threshold => Math.Max(MinimumAnswers, SmallCells.Minimum);
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
    public const string ContactDetails = "comment-contact-details";
}

public static class SatisfactionRules
{
    public const int Scale = 5;
    public const int CommentMaxLength = 200;
    public const int ShardCount = 8;

    /// <summary>Comments kept per shard (~300 bytes each): beyond it a rating still counts, its comment is not kept.</summary>
    public const int MaxCommentsPerShard = 1_000;

    /// <summary>
    /// The default of <see cref="SatisfactionOptions.MinimumAnswers"/>: a round's satisfaction is published from this many
    /// answers, and its published figures change only when this many more have arrived since the last snapshot, so neither a
    /// small group nor the difference between two readings can be reversed into one person's answer.
    /// </summary>
    public const int DefaultMinimumAnswers = 30;

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
        else if (CleanComment(comment) is { } said && LooksLikeContactDetails(said))
        {
            errors.Add(new("comment", SatisfactionErrorCodes.ContactDetails,
                "The answer is anonymous: leave out phone numbers and email addresses (and names). To be contacted, use the ward's enquiry form."));
        }

        return errors;
    }

    /// <summary>
    /// Whether a comment holds what would link the anonymous answer to a person: an email address, or a phone number (10 or
    /// more digits in one run starting with 0 or +, with hyphens, spaces, dots or brackets between them; full-width forms too).
    /// </summary>
    public static bool LooksLikeContactDetails(string text)
    {
        var plain = text.Normalize(System.Text.NormalizationForm.FormKC);
        if (System.Text.RegularExpressions.Regex.IsMatch(plain, @"[A-Za-z0-9._%+\-]+\s*@\s*[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+"))
        {
            return true;
        }

        // A Japanese number starts with 0 (or +81): "2024-08-05 10時" is a date and a time, not a phone number.
        foreach (System.Text.RegularExpressions.Match run in System.Text.RegularExpressions.Regex.Matches(plain, @"[+(]?\d[\d\-\s.()‐‑–—―ー]{7,}\d"))
        {
            var number = run.Value.TrimStart('(');
            if (number[0] is '0' or '+' && number.Count(char.IsAsciiDigit) >= 10)
            {
                return true;
            }
        }

        return false;
    }

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
/// Who has rated in a round (key <c>{roundId}:{0..15}</c>): a sorted set of keyed hashes (HMAC) of round and register key,
/// kept apart from the answers and holding nothing about them (no rating, comment, source, day or order), so one person
/// rates once and a reader of storage can neither learn an answer nor test whether a known person answered.
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
/// The published aggregate of a round's answers (key: round id): a snapshot of the shards' counts, taken first when the
/// shards hold <see cref="SatisfactionOptions.Threshold"/> answers and replaced only when that many more have arrived. Every public figure
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
