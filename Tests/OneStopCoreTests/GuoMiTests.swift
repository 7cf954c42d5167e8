import Testing

@testable import OneStopCore

private func hex(_ b: [UInt8]) -> String {
    b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
private func bytes(_ h: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = h.startIndex
    while i < h.endIndex {
        let j = h.index(i, offsetBy: 2)
        out.append(UInt8(h[i..<j], radix: 16)!)
        i = j
    }
    return out
}

@Suite("国密 SM3 and SM4 (GB/T 32905, GB/T 32907)")
struct GuoMiTests {
    @Test("the system's OpenSSL provides them")
    func available() {
        #expect(GuoMi.unavailable == nil, "\(GuoMi.unavailable?.description ?? "")")
    }

    /// GB/T 32905-2016 appendix A: examples 1 ("abc") and 2 ("abcd" × 16).
    @Test func sm3Vectors() throws {
        #expect(try hex(GuoMi.sm3(Array("abc".utf8))) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        #expect(
            try hex(GuoMi.sm3(Array(String(repeating: "abcd", count: 16).utf8)))
                == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
        #expect(try GuoMi.sm3([]).count == 32)
    }

    /// GB/T 32907-2016 appendix A, example 1: one block under key = plaintext = 0123…3210. In
    /// counter mode the first keystream block is the cipher applied to the counter, so encrypting
    /// zeros with the plaintext as the counter gives the standard's ciphertext.
    @Test func sm4Vector() throws {
        let k = bytes("0123456789abcdeffedcba9876543210")
        #expect(try hex(GuoMi.sm4CTR(key: k, iv: k, [UInt8](repeating: 0, count: 16))) == "681edf34d206965e86b3e94f536e4246")
    }

    @Test func sm4CounterModeRoundTrips() throws {
        let key = (0..<16).map { UInt8($0 * 7 & 0xff) }
        let iv = (0..<16).map { UInt8(255 - $0) }
        let text = Array("11010519491231002X 张三 13800138000".utf8)
        let sealed = try GuoMi.sm4CTR(key: key, iv: iv, text)
        #expect(sealed.count == text.count && sealed != text)
        #expect(try GuoMi.sm4CTR(key: key, iv: iv, sealed) == text)
        #expect(throws: GuoMi.Unavailable.self) { try GuoMi.sm4CTR(key: [1, 2], iv: iv, text) }
    }

    /// HMAC-SM3 (RFC 2104 over SM3), checked against OpenSSL's own HMAC (Python's `hmac` with
    /// "sm3"), with a short key and with a key longer than the 64-byte block.
    @Test func hmacSM3() throws {
        #expect(
            try hex(GuoMi.hmacSM3(key: Array("onestop-key".utf8), Array("what do ya want for nothing?".utf8)))
                == "09cd2ec2d5853b8805ae05bf527c036e44023ae817965cf0eea1108d7ae7f22b")
        #expect(
            try hex(GuoMi.hmacSM3(key: (0..<100).map { UInt8($0) }, Array("Hi There".utf8)))
                == "61a99a3473f70ea66e7034f9a3388117bdc91f0ce239cc6e776cd0e60be74c7e")
    }
}
