using System.Globalization;
using System.Security.Cryptography;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Satisfaction;

namespace Chiyoda.Civic.Grains.Satisfaction;

[GenerateSerializer, Alias("civic.satisfaction-shard-state")]
public sealed class SatisfactionShardState
{
    /// <summary>"yyyy-MM-dd|source|rating" → answers: no answer is stored as a row of its own.</summary>
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

        var key = string.Join('|', answer.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), (int)answer.Source, answer.Rating);
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
        int afterVoting = 0, results = 0;
        foreach (var (key, n) in state.State.Counts)
        {
            var parts = key.Split('|');
            var rating = int.Parse(parts[2], CultureInfo.InvariantCulture);
            counts[rating - 1] += n;
            if (parts[1] == ((int)SatisfactionSource.Results).ToString(CultureInfo.InvariantCulture))
            {
                results += n;
            }
            else
            {
                afterVoting += n;
            }
        }

        return Task.FromResult(new SatisfactionTally(counts, afterVoting, results, [.. state.State.Comments]));
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
