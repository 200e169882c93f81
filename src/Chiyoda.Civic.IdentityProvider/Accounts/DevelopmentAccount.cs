namespace Chiyoda.Civic.IdentityProvider.Accounts;

/// <summary>An account as it signs in on a given day; birthdates are already resolved to dates.</summary>
public sealed record DevelopmentAccount(
    string Subject,
    string Name,
    IReadOnlyList<string> Roles,
    string? VoterKey,
    DateOnly? Birthdate,
    string? Residency)
{
    /// <summary>
    /// Every development account has a mailbox at example.jp (reserved for examples, RFC 2606/6761, so
    /// nothing is ever delivered there by mistake): <c>resident-45@example.jp</c>, <c>voter-d-0001@example.jp</c>.
    /// </summary>
    public string Email => Subject.Replace(':', '-') + "@example.jp";
}

/// <summary>A row of the account table shown on the login page.</summary>
public sealed record DevelopmentAccountDescription(string AccountName, string Name, string DescriptionJa, string DescriptionEn);
