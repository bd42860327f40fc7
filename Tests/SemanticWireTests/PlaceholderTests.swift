import Testing
@testable import SemanticWire
@Test func protocolVersionIsOne() { #expect(SemanticWireInfo.protocolVersion == 1) }
