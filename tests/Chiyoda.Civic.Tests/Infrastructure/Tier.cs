namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// The suite's tiers, as a trait on each test class, so one tier runs alone (README: ./test.sh --tier unit):
/// unit (plain classes, no Azurite, seconds), browser (headless Chromium against the platform),
/// faults (processes killed and storage paused, one at a time). Every class without the trait is an integration
/// test on a test cluster or the running platform.
/// </summary>
public static class Tier
{
    public const string Name = "Tier";
    public const string Unit = "unit";
    public const string Browser = "browser";
    public const string Faults = "faults";
}
