import Testing
@testable import SemanticCore
@Test func versionIsSet() { #expect(!SemanticCoreInfo.version.isEmpty) }
