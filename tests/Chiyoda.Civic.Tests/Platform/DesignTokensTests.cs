using System.Text.RegularExpressions;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Platform;

/// <summary>
/// The staff pages' MudBlazor theme (Components/Layout/DesignTokens.cs, CivicTheme.cs) uses the same Digital Agency
/// tokens as the resident pages' CSS: each colour it names is the vendored token's value. Read as source, since
/// the tests do not reference the web project.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class DesignTokensTests
{
    private static readonly string Web = Repository.ProjectDirectory("Chiyoda.Civic.Web");

    [Fact]
    public void Every_colour_of_the_theme_is_the_vendored_token_of_its_name()
    {
        var css = File.ReadAllText(Path.Combine(Web, "wwwroot", "css", "design-tokens.css"));
        var tokens = Regex.Matches(css, @"(--[a-z0-9-]+):\s*([^;]+);").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
        Assert.True(tokens.Count > 200, "the vendored token file looks empty");

        var source = File.ReadAllText(Path.Combine(Web, "Components", "Layout", "DesignTokens.cs"));
        var constants = Regex.Matches(source, @"const string (\w+) = ""([^""]+)""").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var named = Regex.Matches(source, @"\(""(--[a-z0-9-]+)"", (\w+)\)").Select(m => (Token: m.Groups[1].Value, Constant: m.Groups[2].Value)).ToList();
        Assert.True(named.Count >= 10, "DesignTokens.All names too few tokens");
        foreach (var (token, constant) in named)
        {
            Assert.True(tokens.TryGetValue(token, out var vendored), $"{token} is not in design-tokens.css");
            Assert.Equal(vendored, constants[constant], ignoreCase: true);
        }

        // Every colour constant is one of the named tokens: none is made up beside them.
        Assert.All(constants.Where(c => c.Value.StartsWith('#')), c => Assert.Contains(named, n => n.Constant == c.Key));
        var theme = File.ReadAllText(Path.Combine(Web, "Components", "Layout", "CivicTheme.cs"));
        Assert.DoesNotMatch(@"""#[0-9A-Fa-f]{6}""", theme);
    }
}
