using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Results;

/// <summary>
/// The people who asked to be told when a round's results are out (key: round id). Only subs are kept, never
/// whether or how they voted; the notice thanks them and links to the results, the same text for everyone.
/// </summary>
[Alias("civic.IResultsNoticeGrain")]
public interface IResultsNoticeGrain : IGrainWithStringKey
{
    /// <summary>~40 bytes a sub: ≤ ~800 KB stored at the cap, under Azure Table's entity limit.</summary>
    public const int MaxSubscribers = 20_000;

    /// <summary>False when the list is full. After the results are out, asking again is answered with the notice at once.</summary>
    [Alias("subscribe")]
    Task<bool> SubscribeAsync(string sub);

    [Alias("unsubscribe")]
    Task UnsubscribeAsync(string sub);

    [Alias("is-subscribed"), ReadOnly]
    Task<bool> IsSubscribedAsync(string sub);

    /// <summary>Delivers the notice to every subscriber (idempotent: the notice id is fixed per round).</summary>
    [Alias("deliver")]
    Task DeliverAsync(string roundName, string roundNameEn);
}
