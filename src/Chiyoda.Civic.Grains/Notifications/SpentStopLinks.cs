using System.Security.Cryptography;
using System.Text;

namespace Chiyoda.Civic.Grains.Notifications;

/// <summary>
/// The stop-link tokens a grain has spent, kept as SHA-256 digests (a spent token stops nothing, but it was a secret of a
/// person's email and is not kept as written), newest last and capped, so a grain's state stays small: past the cap the
/// oldest links read as never issued, which is only the wording of a page.
/// </summary>
public static class SpentStopLinks
{
    public const int Cap = 1_000;

    public static void Spend(List<string> spent, string token)
    {
        var digest = Digest(token);
        if (spent.Contains(digest))
        {
            return;
        }

        spent.Add(digest);
        if (spent.Count > Cap)
        {
            spent.RemoveRange(0, spent.Count - Cap);
        }
    }

    public static bool WasSpent(List<string> spent, string token) => spent.Contains(Digest(token));

    private static string Digest(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
}
