import Testing
@testable import OneStopCore
@Test func version() { #expect(!OneStopCoreVersion.value.isEmpty) }
