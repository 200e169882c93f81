using System.Globalization;
using System.Security.Cryptography;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Satisfaction;

namespace Chiyoda.Civic.Grains.Satisfaction;

[GenerateSerializer, Alias("civic.satisfaction-shard-state")]
public sealed class SatisfactionShardState
{
    /// <summary>
    /// "yyyy-MM-dd|source|rating|voter" → answers (voter 1: a counted ballot of theirs, 0: none known): no answer is stored
    /// as a row of its own. Keys stored before the voter part read as voters after voting and as not known on the results page.
    /// </summary>
    [Id(0)] public Dictionary<string, int> Counts { get; set; } = [];

    /// <summary>Comments in no particular order (each is inserted at a random place).</summary>
    [Id(1)] public List<SatisfactionComment> Comments { get; set; } = [];
}

/// <summary>
/// A share of a round's anonymous satisfaction answers. Counts by day, source and rating (a few hundred bytes a day) and
/// at most 1,000 comments of ≤200 characters (~300 KB): far under the entity cap. Nothing identifies who answered.
/// </summary>
[GrainType("satisfaction-shard")]
public sealed class SatisfactionShardGrain(
    [PersistentState("satisfaction", StorageNames.GrainState)] IPersistentState<SatisfactionShardState> state) : Grain, ISatisfactionShardGrain
{
    async Task ISatisfactionShardGrain.AddAsync(SatisfactionAnswer answer)
    {
        if (!SatisfactionRules.IsValidRating(answer.Rating))
        {
            throw new ArgumentOutOfRangeException(nameof(answer), "The rating is 1..5.");
        }

        var key = string.Join('|', answer.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), (int)answer.Source, answer.Rating,
            answer.Voter || answer.Source == SatisfactionSource.AfterVoting ? 1 : 0);
        state.State.Counts[key] = state.State.Counts.GetValueOrDefault(key) + 1;
        if (SatisfactionRules.CleanComment(answer.Comment) is { } text && state.State.Comments.Count < SatisfactionRules.MaxCommentsPerShard)
        {
            var at = RandomNumberGenerator.GetInt32(state.State.Comments.Count + 1);
            state.State.Comments.Insert(at, new SatisfactionComment(answer.Rating, text[..Math.Min(text.Length, SatisfactionRules.CommentMaxLength)], answer.Day, answer.Source));
        }

        await state.WriteStateAsync();
    }

    Task<SatisfactionTally> ISatisfactionShardGrain.GetAsync()
    {
        var counts = new int[SatisfactionRules.Scale];
        var nonVoters = new int[SatisfactionRules.Scale];
        int afterVoting = 0, results = 0;
        foreach (var (key, n) in state.State.Counts)
        {
            var parts = key.Split('|');
            var rating = int.Parse(parts[2], CultureInfo.InvariantCulture);
            var fromResults = parts[1] == ((int)SatisfactionSource.Results).ToString(CultureInfo.InvariantCulture);
            var voter = parts.Length > 3 ? parts[3] == "1" : !fromResults;
            if (!voter)
            {
                nonVoters[rating - 1] += n;
                continue;
            }

            counts[rating - 1] += n;
            if (fromResults)
            {
                results += n;
            }
            else
            {
                afterVoting += n;
            }
        }

        return Task.FromResult(new SatisfactionTally(counts, afterVoting, results, [.. state.State.Comments], nonVoters));
    }
}

[GenerateSerializer, Alias("civic.satisfaction-raters-state")]
public sealed class SatisfactionRatersState
{
    /// <summary>Kept in ordinal order: the order says nothing about who rated when.</summary>
    [Id(0)] public List<string> Raters { get; set; } = [];
}

/// <summary>The "has rated" marks of a round's share of people (~35 bytes each: ~350 KB at 10,000 a shard).</summary>
[GrainType("satisfaction-raters")]
public sealed class SatisfactionRatersGrain(
    [PersistentState("satisfaction-raters", StorageNames.GrainState)] IPersistentState<SatisfactionRatersState> state) : Grain, ISatisfactionRatersGrain
{
    async Task<bool> ISatisfactionRatersGrain.MarkAsync(string raterHash)
    {
        var at = state.State.Raters.BinarySearch(raterHash, StringComparer.Ordinal);
        if (at >= 0)
        {
            return false;
        }

        state.State.Raters.Insert(~at, raterHash);
        await state.WriteStateAsync();
        return true;
    }

    Task<bool> ISatisfactionRatersGrain.HasRatedAsync(string raterHash) => Task.FromResult(state.State.Raters.BinarySearch(raterHash, StringComparer.Ordinal) >= 0);
}

[GenerateSerializer, Alias("civic.satisfaction-snapshot-state")]
public sealed class SatisfactionSnapshotState
{
    /// <summary>The published counts (no comments); null before the first step.</summary>
    [Id(0)] public SatisfactionTally? Published { get; set; }

    /// <summary>How many snapshots were taken.</summary>
    [Id(1)] public int Version { get; set; }
}

/// <summary>
/// The published aggregate of a round's 「満足度」: a copy of the shards' counts, first taken when they hold
/// <see cref="SatisfactionOptions.Threshold"/> answers (30 by default) and then in steps of at least as many, so the published
/// total, and the difference between any two readings of it, is always a group of that many answers: nobody controlling
/// fewer of them can work out anyone's answer. Non-reentrant: two refreshes never both take a step. ~200 bytes.
/// </summary>
[GrainType("satisfaction-snapshot")]
public sealed class SatisfactionSnapshotGrain(
    [PersistentState("satisfaction-snapshot", StorageNames.GrainState)] IPersistentState<SatisfactionSnapshotState> state,
    Microsoft.Extensions.Options.IOptions<SatisfactionOptions> options) : Grain, ISatisfactionSnapshotGrain
{
    Task<SatisfactionTally> ISatisfactionSnapshotGrain.GetAsync() => Task.FromResult(state.State.Published ?? SatisfactionTally.Empty);

    async Task<bool> ISatisfactionSnapshotGrain.RefreshAsync()
    {
        var roundId = this.GetPrimaryKeyString();
        var live = SatisfactionTally.Sum(await Task.WhenAll(Enumerable.Range(0, SatisfactionRules.ShardCount)
            .Select(n => GrainFactory.GetGrain<ISatisfactionShardGrain>($"{roundId}:{n}").GetAsync())));
        var published = state.State.Published?.Total ?? 0;
        if (live.Total - published < options.Value.Threshold)
        {
            return false;
        }

        state.State.Published = live.WithoutComments();
        state.State.Version++;
        await state.WriteStateAsync();
        return true;
    }
}
