using System.Security.Cryptography;
using System.Text;

namespace Chiyoda.Civic.Grains.Notifications;

/// <summary>
/// The stop-link tokens a grain has spent, each kept as its SHA-256 digest (a spent token stops nothing, but it was a secret of
/// a person's email and is not kept as written) with the subject it belonged to, so a page can tell "already stopped" from
/// "stopped, and since asked for again with a newer link". Newest last and capped, so a grain's state stays small: past
/// the cap the oldest links read as never issued, which is only the wording of a page.
/// </summary>
public static class SpentStopLinks
{
    public const int Cap = 1_000;

    public static void Spend(List<string> spent, string token, string owner)
    {
        var digest = Digest(token);
        if (spent.Any(entry => entry.StartsWith(digest + " ", StringComparison.Ordinal)))
        {
            return;
        }

        spent.Add($"{digest} {owner}");
        if (spent.Count > Cap)
        {
            spent.RemoveRange(0, spent.Count - Cap);
        }
    }

    /// <summary>Whose the spent token was, or null when it was never spent here.</summary>
    public static string? OwnerOf(List<string> spent, string token)
    {
        var prefix = Digest(token) + " ";
        return spent.FirstOrDefault(entry => entry.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }

    private static string Digest(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
}
