using System.Xml.Linq;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Chiyoda.Civic.Web.Security;

/// <summary>
/// The data-protection key ring as one XML blob that every web front end reads and appends to, so a
/// cookie or antiforgery token issued by one front end is accepted by the others. Appends are
/// optimistic (ETag): two front ends creating a key at once both keep theirs. The key manager caches
/// the ring and reads it again only when it meets a key it does not know or a key is due to roll over,
/// so this is a handful of requests a day, never one per page.
/// </summary>
public sealed class BlobXmlRepository(BlobClient blob) : IXmlRepository
{
    private const string RootName = "repository";
    private bool _containerExists;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var (document, _) = Read();
        return document?.Root?.Elements().Select(element => new XElement(element)).ToList() ?? [];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        EnsureContainer();
        for (var attempt = 1; ; attempt++)
        {
            var (document, etag) = Read();
            document ??= new XDocument(new XElement(RootName));
            document.Root!.Add(new XElement(element));
            var conditions = etag is { } known ? new BlobRequestConditions { IfMatch = known } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                blob.Upload(BinaryData.FromString(document.ToString(SaveOptions.DisableFormatting)), new BlobUploadOptions
                {
                    Conditions = conditions,
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/xml; charset=utf-8" },
                });
                return;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 && attempt < 10)
            {
                // Another front end wrote the ring since we read it: read it again and append to theirs.
                Thread.Sleep(Random.Shared.Next(20, 200));
            }
        }
    }

    private (XDocument? Document, ETag? ETag) Read()
    {
        try
        {
            var content = blob.DownloadContent().Value;
            return (XDocument.Parse(content.Content.ToString()), content.Details.ETag);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return (null, null);
        }
    }

    private void EnsureContainer()
    {
        if (!_containerExists)
        {
            blob.GetParentBlobContainerClient().CreateIfNotExists();
            _containerExists = true;
        }
    }
}
