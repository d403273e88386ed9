using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coupons.Catalog;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IssuableCoupon[]))]
internal sealed partial class CatalogJson : JsonSerializerContext;
