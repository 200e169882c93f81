namespace Chiyoda.Civic.IdentityProvider.Accounts;

/// <summary>An account as it signs in on a given day; birthdates are already resolved to dates.</summary>
public sealed record DevelopmentAccount(
    string Subject,
    string Name,
    IReadOnlyList<string> Roles,
    string? VoterKey,
    DateOnly? Birthdate,
    string? Residency);

/// <summary>A row of the account table shown on the login page.</summary>
public sealed record DevelopmentAccountDescription(string AccountName, string Name, string DescriptionJa, string DescriptionEn);
