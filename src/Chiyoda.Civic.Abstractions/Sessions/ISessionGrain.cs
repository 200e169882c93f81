using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Sessions;

/// <summary>
/// The signed-in sessions of one person (key: their "sub"). A session cookie names its session id, and
/// every request with it is checked here, so signing out ends the session on the server: a copy of the
/// cookie taken before sign-out is refused everywhere, on every front end, from the next request on.
/// </summary>
[Alias("civic.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Records a new session (idempotent). The oldest sessions beyond <see cref="SessionRules.MaxSessionsPerPerson"/> end.</summary>
    [Alias("start")]
    Task StartAsync(string sessionId, DateTimeOffset at);

    /// <summary>Whether the session was started, has not ended and is younger than <see cref="SessionRules.MaxAge"/>.</summary>
    [Alias("is-active"), ReadOnly]
    Task<bool> IsActiveAsync(string sessionId, DateTimeOffset now);

    /// <summary>Ends the session (sign-out). Ending an unknown or ended session does nothing.</summary>
    [Alias("end")]
    Task EndAsync(string sessionId);
}

public static class SessionRules
{
    /// <summary>Browsers and devices one person may be signed in on at once; a new sign-in beyond this ends the oldest.</summary>
    public const int MaxSessionsPerPerson = 20;

    /// <summary>
    /// A cookie session slides (8 hours idle), but no session outlives this from its sign-in: a stolen
    /// cookie kept alive by use still dies.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);

    /// <summary>The cookie claim that names the session (not the provider's "sid", which is the provider's own session).</summary>
    public const string SessionClaim = "civic_session";
}
