import Crypto
import Foundation
import NIOConcurrencyHelpers
import OneStopCore

/// 个人信息加密存储 — sensitive personal information at rest (《个人信息保护法》 §28, §51): ID-card
/// numbers, credit codes, phone numbers and the names of applicants and visitors are stored
/// sealed with authenticated encryption (AES-256-GCM, a random nonce per value, the column as
/// associated data, so a value copied to another column does not open), and found by equality
/// through a keyed hash (blind index, HMAC-SHA-256) rather than the value.
///
/// A sealed value reads `enc:<key id>:<base64 of nonce, ciphertext and tag>`. The keys live in a
/// file outside the database (`ONESTOP_DATA_KEY_FILE`): encryption keys by id, the newest in use,
/// older ones kept to open what they sealed until `onestop keys rotate` has sealed it again; and
/// the index key, which rotation keeps (the indexes stay valid).
///
/// With 国密 (`ONESTOP_CRYPTO=guomi`) new values are sealed with SM4-CTR and HMAC-SM3 instead
/// (`sm4:<key id>:<base64 of counter, ciphertext and tag>`, both halves derived from the same
/// 32-byte key) and the blind index is HMAC-SM3 (`sm3:<base64>`). Values of either kind open
/// whichever is chosen; `onestop keys rotate` seals them all, and indexes them, the chosen way.
struct DataKeyring: Sendable {
    var current: String
    /// The keys' 32 bytes by id (`SymmetricKey` is not `Sendable`: each use makes one).
    var keys: [String: Data]
    var indexKey: Data
    /// The algorithms new values are sealed and indexed with (not in the file: a setting).
    var suite: CryptoSuite = .standard

    static let prefix = "enc:"
    static let sm4Prefix = "sm4:"
    static let sm3IndexPrefix = "sm3:"

    /// How a value sealed now with the current key begins.
    var currentPrefix: String { (suite == .guomi ? Self.sm4Prefix : Self.prefix) + current + ":" }

    /// Whether a stored value is sealed the way, and with the key, that would seal it now.
    func isCurrent(_ stored: String) -> Bool { stored.hasPrefix(currentPrefix) }

    /// A new keyring with fresh random keys.
    static func generate() -> DataKeyring {
        DataKeyring(current: "k1", keys: ["k1": fresh()], indexKey: fresh())
    }

    struct File: Codable {
        var format = "onestop-data-keys/1"
        var current: String
        var keys: [String: String]
        var index: String
    }

    enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        case unknownKey(String)
        case tampered(String)

        var description: String {
            switch self {
            case .unreadable(let why): "the data key file cannot be read: \(why)"
            case .unknownKey(let id): "a value is sealed with key \(id), which the data key file does not hold"
            case .tampered(let field): "a sealed value of \(field) does not open with its key (wrong key, or the value was changed)"
            }
        }
    }

    init(current: String, keys: [String: Data], indexKey: Data) {
        self.current = current
        self.keys = keys
        self.indexKey = indexKey
    }

    static func fresh() -> Data { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) } }

    init(file data: Data) throws {
        guard let f = try? JSONDecoder().decode(File.self, from: data), f.format == "onestop-data-keys/1" else {
            throw Failure.unreadable("not a OneStop data key file")
        }
        func key(_ text: String) throws -> Data {
            guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                throw Failure.unreadable("a key is not 32 bytes of base64")
            }
            return bytes
        }
        keys = try f.keys.mapValues(key)
        indexKey = try key(f.index)
        current = f.current
        guard keys[current] != nil else { throw Failure.unreadable("the current key \(current) is not in the file") }
    }

    var fileData: Data {
        let f = File(current: current, keys: keys.mapValues { $0.base64EncodedString() }, index: indexKey.base64EncodedString())
        return (try? JSONEncoder.sorted.encode(f)) ?? Data()
    }

    /// The keyring with a new key in use; the old ones stay to open what they sealed.
    func rotated() -> DataKeyring {
        var next = 1
        while keys["k\(next)"] != nil { next += 1 }
        var r = self
        r.current = "k\(next)"
        r.keys[r.current] = Self.fresh()
        return r
    }

    /// `plain` sealed for `field` ("table.column"); the empty string stays empty.
    func seal(_ plain: String, field: String) -> String {
        if suite == .guomi, !plain.isEmpty, let key = keys[current], let sealed = try? sealSM4(plain, field: field, key: key) {
            return Self.sm4Prefix + current + ":" + sealed
        }
        guard !plain.isEmpty, let key = keys[current].map(SymmetricKey.init(data:)),
            let box = try? AES.GCM.seal(Data(plain.utf8), using: key, authenticating: Data(field.utf8)), let combined = box.combined
        else { return plain }
        return Self.prefix + current + ":" + combined.base64EncodedString()
    }

    /// The value `stored` holds. A value without the prefix was stored before encryption and is
    /// read as it is (the migration and `keys rotate` seal it).
    func open(_ stored: String, field: String) throws -> String {
        if stored.hasPrefix(Self.sm4Prefix) { return try openSM4(stored, field: field) }
        guard stored.hasPrefix(Self.prefix) else { return stored }
        let rest = stored.dropFirst(Self.prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { throw Failure.tampered(field) }
        let id = String(rest[..<colon])
        guard let key = keys[id].map(SymmetricKey.init(data:)) else { throw Failure.unknownKey(id) }
        guard let data = Data(base64Encoded: String(rest[rest.index(after: colon)...])),
            let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key, authenticating: Data(field.utf8))
        else { throw Failure.tampered(field) }
        return String(decoding: plain, as: UTF8.self)
    }

    /// The key id a stored value is sealed with (nil: not sealed).
    static func keyID(_ stored: String) -> String? {
        guard stored.hasPrefix(prefix) || stored.hasPrefix(sm4Prefix) else { return nil }
        let rest = stored.dropFirst(prefix.count)
        return rest.firstIndex(of: ":").map { String(rest[..<$0]) }
    }

    /// The SM4 key and the HMAC-SM3 key drawn from one 32-byte key.
    private static func sm4Keys(_ key: Data) throws -> (cipher: [UInt8], mac: [UInt8]) {
        let k = Array(key)
        return (
            Array(try GuoMi.hmacSM3(key: k, Array("onestop/sm4-ctr".utf8)).prefix(16)),
            try GuoMi.hmacSM3(key: k, Array("onestop/hmac-sm3".utf8))
        )
    }

    /// The tag covers the column (associated data), the counter and the ciphertext.
    private static func tag(_ mac: [UInt8], field: String, iv: [UInt8], cipher: [UInt8]) throws -> [UInt8] {
        try GuoMi.hmacSM3(key: mac, Array(field.utf8) + [0] + iv + cipher)
    }

    private func sealSM4(_ plain: String, field: String, key: Data) throws -> String {
        let (k, mac) = try Self.sm4Keys(key)
        var g = SystemRandomNumberGenerator()
        let iv = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        let cipher = try GuoMi.sm4CTR(key: k, iv: iv, Array(plain.utf8))
        return Data(iv + cipher + (try Self.tag(mac, field: field, iv: iv, cipher: cipher))).base64EncodedString()
    }

    private func openSM4(_ stored: String, field: String) throws -> String {
        let rest = stored.dropFirst(Self.sm4Prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { throw Failure.tampered(field) }
        let id = String(rest[..<colon])
        guard let key = keys[id] else { throw Failure.unknownKey(id) }
        guard let data = Data(base64Encoded: String(rest[rest.index(after: colon)...])), data.count >= 48 else {
            throw Failure.tampered(field)
        }
        let bytes = Array(data)
        let iv = Array(bytes[0..<16])
        let cipher = Array(bytes[16..<(bytes.count - 32)])
        let (k, mac) = try Self.sm4Keys(key)
        let expected = try Self.tag(mac, field: field, iv: iv, cipher: cipher)
        var diff: UInt8 = 0
        for (a, b) in zip(expected, bytes[(bytes.count - 32)...]) { diff |= a ^ b }
        guard diff == 0 else { throw Failure.tampered(field) }
        guard let plain = String(validating: try GuoMi.sm4CTR(key: k, iv: iv, cipher), as: UTF8.self) else {
            throw Failure.tampered(field)
        }
        return plain
    }

    /// The blind index of `plain` for `field`: equal values give equal indexes, and nothing else
    /// can be learnt from one without the key. Letters are compared in upper case (the X of an ID).
    func index(_ plain: String, field: String) -> String { index(plain, field: field, suite: suite) }

    func index(_ plain: String, field: String, suite: CryptoSuite) -> String {
        let normal = plain.trimmingCharacters(in: .whitespaces).uppercased()
        guard !normal.isEmpty else { return "" }
        let message = Array((field + "|" + normal).utf8)
        switch suite {
        case .standard:
            let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: indexKey))
            return Data(mac).base64EncodedString()
        case .guomi:
            let mac = (try? GuoMi.hmacSM3(key: Array(indexKey), message)) ?? []
            return Self.sm3IndexPrefix + Data(mac).base64EncodedString()
        }
    }
}

/// The process's keyring (one per process: every application of a test run shares it).
enum PersonalData {
    private static let box = NIOLockedValueBox<DataKeyring?>(nil)
    /// The keyring of a process that names no key file and may run without one (tests, memory).
    static let ephemeral = DataKeyring.generate()

    static var keyring: DataKeyring { box.withLockedValue { $0 } ?? ephemeral }

    static func use(_ keyring: DataKeyring) { box.withLockedValue { $0 = keyring } }

    static func seal(_ plain: String, _ field: String) -> String { keyring.seal(plain, field: field) }

    /// The value, or a marker where it does not open (the start-up check makes that a damaged row).
    static func open(_ stored: String, _ field: String) -> String {
        (try? keyring.open(stored, field: field)) ?? "〔无法解密〕"
    }

    static func seal(_ plain: String?, _ field: String) -> String? { plain.map { seal($0, field) } }
    static func open(_ stored: String?, _ field: String) -> String? { stored.map { open($0, field) } }

    static func index(_ plain: String, _ field: String) -> String { keyring.index(plain, field: field) }

    /// The index under each suite, for hashes that cannot be made again (recovery codes) and so
    /// stay as they were made when the suite changes.
    static func indexes(_ plain: String, _ field: String) -> [String] {
        CryptoSuite.allCases.map { keyring.index(plain, field: field, suite: $0) }
    }

    /// Every sealed column, by table (each table has an `id`).
    static let columns: [(table: String, columns: [String])] = [
        ("applicants", ["name", "id_number", "phone", "contact"]),
        ("appointments", ["name", "phone"]),
        ("ratings", ["caller_name", "caller_phone"]),
        ("staff", ["phone", "id_number"]),
        ("users", ["phone", "totp_secret"]),
        ("phone_calls", ["caller"]),
        ("work_orders", ["caller_name", "caller_phone", "caller_id_number", "caller_email"]),
        ("vote_codes", ["phone"]),
        ("brand_objections", ["contact"]),
        ("staff_leaves", ["reason"]),
        ("home_visits", ["name", "phone", "address"]),
    ]
}
