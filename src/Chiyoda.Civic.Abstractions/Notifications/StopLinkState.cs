namespace Chiyoda.Civic.Abstractions.Notifications;

/// <summary>
/// What the token of an email's stop link (a following, reminders) does today. The stop pages tell a link already used
/// ("you stopped them; nothing comes through it") from one never issued ("this link is not valid"): without the
/// difference a made-up address would read as if it had stopped something.
/// </summary>
[GenerateSerializer, Alias("civic.stop-link-state")]
public enum StopLinkState
{
    /// <summary>Neither held nor spent: never issued here (or spent before spent links were remembered).</summary>
    Unknown = 0,

    /// <summary>Stops something now.</summary>
    Active = 1,

    /// <summary>Stopped something already (by this link, or by the person signed in); it stops nothing more.</summary>
    Spent = 2,

    /// <summary>Spent, and its person has since asked again (followed, opted in) and got a newer link: this one stops nothing.</summary>
    Superseded = 3,
}
