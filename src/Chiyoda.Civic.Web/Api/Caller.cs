using System.Reflection;
using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Ballots;
using Chiyoda.Civic.Web.Proposals;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// Who calls the API, built once per request from the authenticated principal and handed to every handler
/// that needs it: the <see cref="Abstractions.Screening.Actor"/> the grains take (sub, name, staff roles) and the
/// voter (register key) for ballots. Anonymous callers of public endpoints get a caller without an actor.
/// </summary>
public sealed class Caller : IBindableFromHttpContext<Caller>
{
    private static readonly object ItemKey = new();
    private readonly Actor? _actor;

    private Caller(ClaimsPrincipal user)
    {
        User = user;
        _actor = user.FindFirst("sub") is not null ? user.ToActor() : null;
        Voter = Voter.From(user);
    }

    public ClaimsPrincipal User { get; }

    public bool IsSignedIn => _actor is not null;

    /// <summary>The signed-in caller as the grains take it (endpoints that require sign-in only).</summary>
    public Actor Actor => _actor ?? throw new InvalidOperationException("An anonymous caller has no actor; the endpoint must require sign-in.");

    /// <summary>The caller as a voter: subject and register key, if signed in.</summary>
    public Voter? Voter { get; }

    public bool IsAdministrator => User.IsInRole(Roles.Administrator);

    public static Caller Of(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var built) && built is Caller caller)
        {
            return caller;
        }

        caller = new Caller(context.User);
        context.Items[ItemKey] = caller;
        return caller;
    }

    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult<Caller?>(Of(context));
}
