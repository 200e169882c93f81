using System.Diagnostics;
using System.Text;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Audit;

/// <summary>Runs tools/verify-audit.sh (bash and sha256sum, the check docs/api.md gives anyone) on an audit.csv.</summary>
public static class AuditVerifier
{
    public static Task<(int ExitCode, string Output)> VerifyAsync(string csv, long? entries = null, string? head = null) =>
        VerifyAsync(Encoding.UTF8.GetBytes(csv), entries, head);

    /// <summary>Verifies the file's bytes as given (e.g. as served, with its BOM).</summary>
    public static async Task<(int ExitCode, string Output)> VerifyAsync(byte[] csv, long? entries = null, string? head = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(file, csv);
        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(Repository.Root, "tools", "verify-audit.sh"));
            start.ArgumentList.Add(file);
            if (entries is not null)
            {
                start.ArgumentList.Add(entries.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                start.ArgumentList.Add(head!);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, (await output) + (await error));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The same file with one entry's actor name changed (line 0 is the header).</summary>
    public static string EditEntry(string csv, int entry, string from, string to)
    {
        var lines = csv.Split("\r\n");
        Assert.Contains(from, lines[entry + 1]);
        lines[entry + 1] = lines[entry + 1].Replace(from, to, StringComparison.Ordinal);
        return string.Join("\r\n", lines);
    }
}
