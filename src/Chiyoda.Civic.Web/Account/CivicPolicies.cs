namespace Chiyoda.Civic.Web.Account;

/// <summary>Authorization policy names. Pages use the cookie session; "api-" policies take bearer tokens only.</summary>
public static class CivicPolicies
{
    public const string Administrator = "administrator";
    public const string ApiAdministrator = "api-administrator";
    public const string SignedIn = "signed-in";
    public const string ApiSignedIn = "api-signed-in";
    public const string ApiClerk = "api-clerk";

    /// <summary>May propose: residents and participants (people who work or study in the ward).</summary>
    public const string Proposer = "proposer";
    public const string ApiProposer = "api-proposer";

    /// <summary>May screen proposals: screeners and administrators (the stage assignment is checked by the proposal).</summary>
    public const string Screener = "screener";
    public const string ApiScreener = "api-screener";

    /// <summary>Paper ballots: clerks and administrators see batches and commit; only clerks key; administrators resolve and force.</summary>
    public const string Clerk = "clerk";
    public const string KeyingClerk = "keying-clerk";
    public const string ApiKeyingClerk = "api-keying-clerk";

    /// <summary>Implementation records: department staff and administrators (the record checks the assignment).</summary>
    public const string Department = "department";
    public const string ApiDepartment = "api-department";

    /// <summary>Comment moderation queue: moderators and administrators.</summary>
    public const string Moderator = "moderator";
    public const string ApiModerator = "api-moderator";
}
