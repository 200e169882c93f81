using System.Reflection;
using System.Xml.Linq;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>
/// The counting page says every refusal of the counting steps in its own words, Japanese and English: an outside walker
/// met 「no-shortlist (The round has no shortlist.)」 on the Japanese page, a code and the API's English sentence.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class CountingPageWordsTests
{
    public static TheoryData<string> Languages => new() { "Counting.resx", "Counting.en.resx" };

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_refusal_of_the_counting_steps_has_the_pages_own_words(string file)
    {
        var path = Path.Combine(Repository.Root, "src", "Chiyoda.Civic.Web", "Resources", "Components", "Pages", "Admin", file);
        var words = XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");
        var codes = typeof(ResultsErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)
            .Append(RoundErrorCodes.RoundNotFound).Append("voting-not-open");

        var missing = codes.Where(code => string.IsNullOrWhiteSpace(words.GetValueOrDefault("Code." + code))).ToList();

        Assert.True(missing.Count == 0, $"{file} has no words for: {string.Join(", ", missing)}");
    }
}
