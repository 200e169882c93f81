using Orleans.Runtime;

namespace Chiyoda.Civic.Web.Caching;

/// <summary>
/// Development only, for the tests that prove a page renders the same whatever order its awaits complete in:
/// calls from this process's pages and API to grains whose key starts with <c>Diagnostics:GrainCallJitterKeyPrefix</c>
/// either complete before the caller awaits them (as a fast local call sometimes does under load) or after a random
/// delay of up to <c>Diagnostics:GrainCallJitterMs</c>. Calls made by grains are left alone (blocking a grain's turn
/// could deadlock a call chain).
/// </summary>
public sealed class GrainCallJitter(string keyPrefix, int maxDelayMilliseconds) : IOutgoingGrainCallFilter
{
    public const string PrefixKey = "Diagnostics:GrainCallJitterKeyPrefix";
    public const string MaxDelayKey = "Diagnostics:GrainCallJitterMs";

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.SourceId is { } source && !GrainTypePrefix.IsClient(source) || !(context.TargetId.Key.ToString() ?? "").StartsWith(keyPrefix, StringComparison.Ordinal))
        {
            return context.Invoke();
        }

        if (Random.Shared.Next(2) == 0)
        {
            // Completed before the caller's await looks at it: the caller carries on without yielding. Started
            // without the caller's synchronization context (the page renderer's), so nothing inside the call waits
            // for the thread held here; and held at most briefly, so a call that cannot finish meanwhile goes async.
            var previous = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            Task call;
            try
            {
                call = context.Invoke();
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(previous);
            }

            ((IAsyncResult)call).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(500));
            return call;
        }

        return DelayedAsync(context);
    }

    private async Task DelayedAsync(IOutgoingGrainCallContext context)
    {
        await Task.Delay(Random.Shared.Next(1, maxDelayMilliseconds + 1));
        await context.Invoke();
    }
}
