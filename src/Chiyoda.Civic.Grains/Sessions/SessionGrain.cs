using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Sessions;

namespace Chiyoda.Civic.Grains.Sessions;

[GenerateSerializer, Alias("civic.session-state")]
public sealed class SessionState
{
    /// <summary>Session id → when it started. At most <see cref="SessionRules.MaxSessionsPerPerson"/> entries (~1 KB).</summary>
    [Id(0)] public Dictionary<string, DateTimeOffset> Active { get; set; } = [];
}

/// <summary>
/// One person's live sessions. An allow-list rather than a list of revoked ids: a session the server
/// never recorded (a forged or pre-upgrade cookie) is refused too, and the state stays small because
/// ended sessions are forgotten instead of remembered.
/// </summary>
[GrainType("session")]
public sealed class SessionGrain(
    [PersistentState("sessions", StorageNames.GrainState)] IPersistentState<SessionState> state) : Grain, ISessionGrain
{
    async Task ISessionGrain.StartAsync(string sessionId, DateTimeOffset at)
    {
        var active = state.State.Active;
        if (active.ContainsKey(sessionId))
        {
            return;
        }

        foreach (var expired in active.Where(s => at - s.Value > SessionRules.MaxAge).Select(s => s.Key).ToList())
        {
            active.Remove(expired);
        }

        while (active.Count >= SessionRules.MaxSessionsPerPerson)
        {
            active.Remove(active.MinBy(s => s.Value).Key);
        }

        active[sessionId] = at;
        await state.WriteStateAsync();
    }

    Task<bool> ISessionGrain.IsActiveAsync(string sessionId, DateTimeOffset now) =>
        Task.FromResult(state.State.Active.TryGetValue(sessionId, out var started) && now - started <= SessionRules.MaxAge);

    async Task ISessionGrain.EndAsync(string sessionId)
    {
        if (state.State.Active.Remove(sessionId))
        {
            await state.WriteStateAsync();
        }
    }
}
