using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Results;

namespace Chiyoda.Civic.Grains.Results;

[GenerateSerializer, Alias("civic.results-notice-state")]
public sealed class ResultsNoticeState
{
    [Id(0)] public List<string> Subs { get; set; } = [];
    [Id(1)] public string? RoundName { get; set; }
    [Id(2)] public string? RoundNameEn { get; set; }
}

/// <summary>"The results are out": who asked for it, and its delivery at publication. Non-reentrant.</summary>
[GrainType("results-notice")]
public sealed class ResultsNoticeGrain(
    [PersistentState("results-notice", StorageNames.GrainState)] IPersistentState<ResultsNoticeState> state,
    TimeProvider time) : Grain, IResultsNoticeGrain
{
    public const string Kind = "results-published";

    private string RoundId => this.GetPrimaryKeyString();

    public static Notice For(string roundId, string roundName, string roundNameEn, DateTimeOffset at) => new(
        $"results:{roundId}", at, Kind, roundId,
        "投票結果を公表しました", "The results are out",
        $"「{roundName}」の投票結果を公表しました。区民投票にご参加いただき、ありがとうございました。採用された提案のその後も、このサイトでお知らせします。",
        $"The results of \"{roundNameEn}\" are published. Thank you for taking part in the resident vote. We will show here what happens to the adopted proposals.",
        $"/rounds/{roundId}/results");

    async Task<bool> IResultsNoticeGrain.SubscribeAsync(string sub)
    {
        if (string.IsNullOrEmpty(sub))
        {
            return false;
        }

        if (!state.State.Subs.Contains(sub))
        {
            if (state.State.Subs.Count >= IResultsNoticeGrain.MaxSubscribers)
            {
                return false;
            }

            state.State.Subs.Add(sub);
            await state.WriteStateAsync();
        }

        // Asked after the results are out: told at once (the inbox ignores a second delivery).
        if (state.State.RoundName is { } name)
        {
            await GrainFactory.GetGrain<INotificationInboxGrain>(sub).DeliverAsync(For(RoundId, name, state.State.RoundNameEn ?? name, time.GetUtcNow()));
        }

        return true;
    }

    async Task IResultsNoticeGrain.UnsubscribeAsync(string sub)
    {
        if (state.State.Subs.Remove(sub))
        {
            await state.WriteStateAsync();
        }
    }

    Task<bool> IResultsNoticeGrain.IsSubscribedAsync(string sub) => Task.FromResult(state.State.Subs.Contains(sub));

    async Task IResultsNoticeGrain.DeliverAsync(string roundName, string roundNameEn)
    {
        if (state.State.RoundName is null)
        {
            state.State.RoundName = roundName;
            state.State.RoundNameEn = roundNameEn;
            await state.WriteStateAsync();
        }

        var notice = For(RoundId, roundName, roundNameEn, time.GetUtcNow());
        foreach (var batch in state.State.Subs.Chunk(64))
        {
            await Task.WhenAll(batch.Select(sub => GrainFactory.GetGrain<INotificationInboxGrain>(sub).DeliverAsync(notice)));
        }
    }
}
