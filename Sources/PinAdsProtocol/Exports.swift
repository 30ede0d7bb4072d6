// Wire users see `JSONValue` with `import PinAdsProtocol` alone.
@_exported import PinAdsJSON
