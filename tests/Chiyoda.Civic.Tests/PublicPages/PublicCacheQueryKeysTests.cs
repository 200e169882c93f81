using System.Text.RegularExpressions;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.PublicPages;

/// <summary>
/// The output cache keys a public page by the query keys listed in <c>PublicCachePolicy</c> only (a query the page ignores
/// shares the entry). A page that read a key not listed would be served the entry of another query. The platform is not
/// referenced by the tests (they start it as a process), so these read the sources: the keys the cached pages (and the
/// comments under a proposal) take through <c>[SupplyParameterFromQuery]</c>, against the policy's lists.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed partial class PublicCacheQueryKeysTests
{
    private static readonly string Components = Path.Combine(Repository.ProjectDirectory("Chiyoda.Civic.Web"), "Components");

    [GeneratedRegex("""SupplyParameterFromQuery\(Name = "(?<name>[^"]+)"\)""")]
    private static partial Regex QueryParameter();

    private static string[] QueryKeysOf(string razorFile) =>
        [.. QueryParameter().Matches(File.ReadAllText(razorFile)).Select(m => m.Groups["name"].Value).Order(StringComparer.Ordinal)];

    private static string[] Listed(string field)
    {
        var source = File.ReadAllText(Path.Combine(Repository.ProjectDirectory("Chiyoda.Civic.Web"), "Caching", "PublicCache.cs"));
        var list = Regex.Match(source, $@"{field} = \[(?<keys>[^\]]*)\];").Groups["keys"].Value;
        return [.. Regex.Matches(list, "\"(?<key>[^\"]+)\"").Select(m => m.Groups["key"].Value).Order(StringComparer.Ordinal)];
    }

    private static string Page(string name) => Directory.GetFiles(Components, name + ".razor", SearchOption.AllDirectories).Single();

    [Fact]
    public void The_proposals_list_is_keyed_by_every_filter_it_reads()
    {
        Assert.Equal(["category", "q", "status"], Listed("ProposalListQueryKeys"));
        Assert.Equal(QueryKeysOf(Page("PublicProposals")), Listed("ProposalListQueryKeys"));
    }

    [Fact]
    public void A_proposal_page_is_keyed_by_what_it_and_its_comments_read()
    {
        Assert.Equal([.. QueryKeysOf(Page("PublicProposal")).Concat(QueryKeysOf(Page("CommentsSection"))).Order(StringComparer.Ordinal)],
            Listed("ProposalPageQueryKeys"));
        Assert.NotEmpty(Listed("ProposalPageQueryKeys"));
    }

    [Fact]
    public void The_other_cached_pages_read_no_query()
    {
        var cached = Directory.GetFiles(Components, "*.razor", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("@attribute [PublicCache]", StringComparison.Ordinal))
            .Where(f => Path.GetFileNameWithoutExtension(f) is not ("PublicProposals" or "PublicProposal"))
            .ToList();
        Assert.Equal(["Home", "RoundPage", "RoundResults"], cached.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        Assert.All(cached, page => Assert.Empty(QueryKeysOf(page)));
    }
}
