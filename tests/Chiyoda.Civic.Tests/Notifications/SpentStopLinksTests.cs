using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Grains.Notifications;

namespace Chiyoda.Civic.Tests.Notifications;

/// <summary>The spent stop links a grain remembers, so a used link reads "already stopped" and a made-up one "not valid".</summary>
public sealed class SpentStopLinksTests
{
    [Fact]
    public void A_spent_link_is_known_by_its_digest_and_one_never_issued_is_not()
    {
        var spent = new List<string>();
        var used = FollowTokens.New();
        SpentStopLinks.Spend(spent, used, "resident-45");
        SpentStopLinks.Spend(spent, used, "resident-45");

        Assert.Equal("resident-45", SpentStopLinks.OwnerOf(spent, used));
        Assert.Null(SpentStopLinks.OwnerOf(spent, FollowTokens.New()));
        // Spending twice keeps one entry, and the token itself (a secret of someone's email) is not what is kept.
        Assert.Single(spent);
        Assert.DoesNotContain(spent, entry => entry.Contains(used, StringComparison.Ordinal));
    }

    [Fact]
    public void Past_the_cap_the_oldest_spent_links_are_forgotten_and_the_newest_kept()
    {
        var spent = new List<string>();
        var tokens = Enumerable.Range(0, SpentStopLinks.Cap + 10).Select(_ => FollowTokens.New()).ToList();
        foreach (var token in tokens)
        {
            SpentStopLinks.Spend(spent, token, "resident-45");
        }

        Assert.Equal(SpentStopLinks.Cap, spent.Count);
        Assert.Null(SpentStopLinks.OwnerOf(spent, tokens[0]));
        Assert.Null(SpentStopLinks.OwnerOf(spent, tokens[9]));
        Assert.NotNull(SpentStopLinks.OwnerOf(spent, tokens[10]));
        Assert.NotNull(SpentStopLinks.OwnerOf(spent, tokens[^1]));
    }
}
