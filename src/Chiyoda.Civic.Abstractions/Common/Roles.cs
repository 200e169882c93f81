namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>Role claim values issued by the identity provider; checked on the server by authorization policies.</summary>
public static class Roles
{
    public const string ClaimType = "role";
    public const string Resident = "resident";
    public const string Participant = "participant";
    public const string Screener = "screener";
    public const string Clerk = "clerk";

    /// <summary>Ward department staff who keep the implementation records of the adopted proposals assigned to them.</summary>
    public const string Department = "department";
    public const string Administrator = "admin";

    /// <summary>Staff who work the comment moderation queue: hide and restore comments with a public reason.</summary>
    public const string Moderator = "moderator";
}
