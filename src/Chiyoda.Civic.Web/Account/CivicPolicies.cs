namespace Chiyoda.Civic.Web.Account;

/// <summary>Authorization policy names. Pages use the cookie session; "api-" policies take bearer tokens only.</summary>
public static class CivicPolicies
{
    public const string Administrator = "administrator";
    public const string ApiAdministrator = "api-administrator";
    public const string SignedIn = "signed-in";
    public const string ApiSignedIn = "api-signed-in";
    public const string ApiClerk = "api-clerk";
}
