using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Implementation;

/// <summary>A follower's stop link: one per following, spent when used or when the person stops on the site, never reused.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FollowerTokenTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Following_again_issues_a_new_link_and_the_old_one_stays_spent()
    {
        var followers = fixture.Grains.GetGrain<IProposalFollowersGrain>($"tokens-{Guid.NewGuid():N}:p-001");
        Assert.True(await followers.FollowAsync("resident-45"));
        var first = (await followers.RecipientsAsync()).Single(f => f.Sub == "resident-45").Token;
        Assert.Equal(StopLinkState.Active, await followers.StopLinkStateAsync(first));
        Assert.Equal(StopLinkState.Unknown, await followers.StopLinkStateAsync(FollowTokens.New()));

        Assert.True(await followers.UnfollowByTokenAsync(first));
        Assert.Equal(StopLinkState.Spent, await followers.StopLinkStateAsync(first));
        Assert.False(await followers.UnfollowByTokenAsync(first));

        Assert.True(await followers.FollowAsync("resident-45"));
        var second = (await followers.RecipientsAsync()).Single(f => f.Sub == "resident-45").Token;
        Assert.NotEqual(first, second);
        // The old email's link neither stops the new following nor reads as working: it is an old link, replaced.
        Assert.Equal(StopLinkState.Superseded, await followers.StopLinkStateAsync(first));
        Assert.False(await followers.UnfollowByTokenAsync(first));
        Assert.True(await followers.IsFollowingAsync("resident-45"));

        // Stopping on the site spends the current link too.
        await followers.UnfollowAsync("resident-45");
        Assert.Equal(StopLinkState.Spent, await followers.StopLinkStateAsync(second));
        Assert.Equal(StopLinkState.Spent, await followers.StopLinkStateAsync(first));
    }
}
