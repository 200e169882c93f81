using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Notifications;

/// <summary>The shared test cluster has no SMTP settings, as a platform without <c>Email:Smtp:Host</c>.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NoEmailTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Without_smtp_settings_notices_stay_on_the_site_and_no_email_is_queued()
    {
        var sub = "no-mail-" + Guid.NewGuid().ToString("N")[..8];
        var inbox = fixture.Grains.GetGrain<INotificationInboxGrain>(sub);
        Assert.True(await inbox.RecordEmailAsync(sub + "@example.jp"));
        await inbox.DeliverAsync(new Notice($"test:{sub}:1", fixture.Clock.GetUtcNow(), "test", "r", "お知らせ", "Notice", "本文", "Body", null));

        Assert.Single(await inbox.ListAsync(10));
        var mail = await inbox.GetMailAsync();
        Assert.Equal(sub + "@example.jp", mail.Address);
        Assert.Empty(mail.Mails);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not an address")]
    [InlineData("Someone <someone@example.jp>")]
    [InlineData("a@example.jp, b@example.jp")]
    [InlineData("a@example.jp\r\nBcc: b@example.jp")]
    public async Task Only_a_plain_address_is_recorded(string address)
    {
        var inbox = fixture.Grains.GetGrain<INotificationInboxGrain>("bad-mail-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.False(await inbox.RecordEmailAsync(address));
        Assert.Null((await inbox.GetMailAsync()).Address);
    }
}
