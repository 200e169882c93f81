using System.Security.Cryptography.X509Certificates;
using Azure.Identity;
using Azure.Storage.Blobs;
using Chiyoda.Civic.Web.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Chiyoda.Civic.Web.Hosting;

public static class DataProtectionExtensions
{
    /// <summary>
    /// Sign-in cookies, antiforgery tokens and the OpenID Connect correlation are encrypted with the
    /// data-protection key ring. With several web front ends behind one address every front end must
    /// hold the same ring, or a request that lands on another front end is signed out. Outside
    /// development the ring must be shared (a blob, or a folder all front ends mount) and protected at
    /// rest: its keys are encrypted to a certificate (<c>DataProtection:Certificate</c>; in production
    /// a Key Vault certificate), since whoever reads the keys can forge any sign-in cookie.
    /// </summary>
    public static WebApplicationBuilder AddCivicDataProtection(this WebApplicationBuilder builder)
    {
        var settings = DataProtectionSettings.From(builder.Configuration, builder.Environment);
        // A fixed name: by default it is the content root path, which may differ between front ends.
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(DataProtectionSettings.ApplicationName);
        switch (settings.KeyRing)
        {
            case KeyRingMode.Blob:
                var blob = settings.CreateBlobClient();
                builder.Services.Configure<KeyManagementOptions>(options => options.XmlRepository = new BlobXmlRepository(blob));
                break;
            case KeyRingMode.Folder:
                dataProtection.PersistKeysToFileSystem(new DirectoryInfo(settings.Folder!));
                break;
            case KeyRingMode.Machine:
                break;
        }

        if (settings.Certificate is not null)
        {
            // Each key is stored encrypted to the certificate (XML encryption); only a holder of its private
            // key can read the ring, so a reader of the blob, the folder or a backup learns nothing.
            dataProtection.ProtectKeysWithCertificate(settings.Certificate);
            if (settings.PreviousCertificate is not null)
            {
                // Keys written before a certificate rotation stay readable, so nobody is signed out by it.
                dataProtection.UnprotectKeysWithAnyCertificate(settings.PreviousCertificate);
            }
        }

        return builder;
    }
}

/// <summary>Where the key ring is kept.</summary>
public enum KeyRingMode
{
    /// <summary>ASP.NET Core's default folder on this machine: one front end only (development).</summary>
    Machine,

    /// <summary>One blob in the storage account (<c>Storage:ConnectionString</c> or <c>Storage:BlobEndpoint</c>).</summary>
    Blob,

    /// <summary>A folder every front end mounts (a shared volume).</summary>
    Folder,
}

/// <summary>
/// <c>DataProtection:KeyRing</c> = Blob | Folder, with its container and blob, or its folder; and the
/// certificate its keys are encrypted to (<see cref="ConfiguredCertificate"/>, section <c>DataProtection</c>),
/// with <c>DataProtection:Previous:…</c> the one before a rotation.
/// </summary>
public sealed record DataProtectionSettings(
    KeyRingMode KeyRing,
    string? ConnectionString,
    Uri? BlobEndpoint,
    string Container,
    string BlobName,
    string? Folder,
    X509Certificate2? Certificate,
    X509Certificate2? PreviousCertificate)
{
    public const string ApplicationName = "chiyoda-civic";

    public static DataProtectionSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection("DataProtection");
        var modeText = section["KeyRing"];
        KeyRingMode mode;
        if (string.IsNullOrWhiteSpace(modeText))
        {
            mode = KeyRingMode.Machine;
        }
        else if (!Enum.TryParse(modeText, ignoreCase: true, out mode) || !Enum.IsDefined(mode))
        {
            throw new InvalidOperationException($"DataProtection:KeyRing is '{modeText}'; it must be Blob or Folder.");
        }

        if (mode == KeyRingMode.Machine && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "The data-protection key ring is not shared: set DataProtection:KeyRing=Blob (a blob in the storage " +
                "account; with a managed identity also Storage:BlobEndpoint) or DataProtection:KeyRing=Folder with " +
                "DataProtection:Folder (a folder every web front end mounts). Otherwise a sign-in made on one front " +
                "end is not accepted by another. See docs/operations.md, 'Settings'.");
        }

        var connectionString = configuration["Storage:ConnectionString"];
        var endpoint = configuration["Storage:BlobEndpoint"];
        if (mode == KeyRingMode.Blob && string.IsNullOrWhiteSpace(connectionString) && string.IsNullOrWhiteSpace(endpoint))
        {
            throw new InvalidOperationException(
                "DataProtection:KeyRing=Blob needs Storage:ConnectionString or Storage:BlobEndpoint " +
                "(https://<account>.blob.core.windows.net/, reached with DefaultAzureCredential).");
        }

        var folder = section["Folder"];
        if (mode == KeyRingMode.Folder && string.IsNullOrWhiteSpace(folder))
        {
            throw new InvalidOperationException("DataProtection:KeyRing=Folder needs DataProtection:Folder (a folder every web front end mounts).");
        }

        var certificate = ConfiguredCertificate.Load(configuration, "DataProtection", TimeProvider.System);
        if (certificate is null && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "The data-protection key ring is not protected at rest: set DataProtection:Certificate (base64 PKCS#12, " +
                "e.g. an App Service Key Vault reference to a Key Vault certificate) or DataProtection:CertificatePath " +
                "(a .pfx, or PEM with DataProtection:KeyPath, e.g. a mounted Kubernetes secret). Its keys are then stored " +
                "encrypted to that certificate; unencrypted, whoever reads the ring or a backup of it can forge any " +
                "sign-in. See docs/operations.md, 'Settings'.");
        }

        var previous = certificate is null ? null : ConfiguredCertificate.Load(configuration, "DataProtection:Previous", TimeProvider.System);

        return new DataProtectionSettings(
            mode,
            string.IsNullOrWhiteSpace(connectionString) ? null : connectionString,
            string.IsNullOrWhiteSpace(endpoint) ? null : new Uri(endpoint),
            section["Container"] is { Length: > 0 } container ? container : "dataprotection",
            section["BlobName"] is { Length: > 0 } blobName ? blobName : "keys.xml",
            string.IsNullOrWhiteSpace(folder) ? null : folder,
            certificate,
            previous);
    }

    /// <summary>The connection string wins, as for grain state; otherwise the endpoint with the managed identity.</summary>
    public BlobClient CreateBlobClient()
    {
        var service = ConnectionString is not null
            ? new BlobServiceClient(ConnectionString)
            : new BlobServiceClient(BlobEndpoint!, new DefaultAzureCredential());
        return service.GetBlobContainerClient(Container).GetBlobClient(BlobName);
    }
}
