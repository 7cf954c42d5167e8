#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// 国密 — the Chinese commercial cryptography standards OneStop can use instead of AES and
/// SHA-256 (商用密码应用安全性评估): SM3 (GB/T 32905-2016), the hash, and SM4 (GB/T 32907-2016),
/// the block cipher, from the system's OpenSSL 3 (`libcrypto.so.3`, which every Debian 12 has for
/// its own tools). OpenSSL 3.0 has SM4 in CTR mode but no SM4-GCM, so values are sealed with
/// SM4-CTR and authenticated with HMAC-SM3 over the result (encrypt-then-MAC).
///
/// The library is opened at run time rather than linked, so a build needs no OpenSSL headers and
/// a machine without the library still runs OneStop with the default algorithms; choosing 国密 on
/// such a machine stops start-up with a message saying what is missing.
public enum GuoMi {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    private typealias Getter = @convention(c) () -> OpaquePointer?
    private typealias DigestFn =
        @convention(c) (
            UnsafeRawPointer?, Int, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?, OpaquePointer?, OpaquePointer?
        ) -> Int32
    private typealias CtxNew = @convention(c) () -> OpaquePointer?
    private typealias CtxFree = @convention(c) (OpaquePointer?) -> Void
    private typealias InitFn =
        @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?) -> Int32
    private typealias UpdateFn =
        @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int32>?, UnsafePointer<UInt8>?, Int32) -> Int32
    private typealias FinalFn = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int32>?) -> Int32

    private final class Library: @unchecked Sendable {
        let sm3: OpaquePointer
        let sm4CTR: OpaquePointer
        let digest: DigestFn
        let ctxNew: CtxNew
        let ctxFree: CtxFree
        let encryptInit: InitFn
        let encryptUpdate: UpdateFn
        let encryptFinal: FinalFn

        init(sm3: OpaquePointer, sm4CTR: OpaquePointer, handle: UnsafeMutableRawPointer) {
            func sym<T>(_ name: String, _: T.Type) -> T { unsafeBitCast(dlsym(handle, name), to: T.self) }
            self.sm3 = sm3
            self.sm4CTR = sm4CTR
            digest = sym("EVP_Digest", DigestFn.self)
            ctxNew = sym("EVP_CIPHER_CTX_new", CtxNew.self)
            ctxFree = sym("EVP_CIPHER_CTX_free", CtxFree.self)
            encryptInit = sym("EVP_EncryptInit_ex", InitFn.self)
            encryptUpdate = sym("EVP_EncryptUpdate", UpdateFn.self)
            encryptFinal = sym("EVP_EncryptFinal_ex", FinalFn.self)
        }
    }

    private static let loaded: Result<Library, Unavailable> = {
        let names = ["libcrypto.so.3", "libcrypto.so", "libcrypto.3.dylib"]
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
            return .failure(Unavailable(description: "OpenSSL 3's libcrypto.so.3 was not found (apt-get install libssl3)"))
        }
        for name in [
            "EVP_sm3", "EVP_sm4_ctr", "EVP_Digest", "EVP_CIPHER_CTX_new", "EVP_CIPHER_CTX_free", "EVP_EncryptInit_ex",
            "EVP_EncryptUpdate", "EVP_EncryptFinal_ex",
        ]
        where dlsym(handle, name) == nil {
            return .failure(Unavailable(description: "the system's libcrypto has no \(name) (OpenSSL 3 built without SM3/SM4?)"))
        }
        let getSM3 = unsafeBitCast(dlsym(handle, "EVP_sm3"), to: Getter.self)
        let getSM4 = unsafeBitCast(dlsym(handle, "EVP_sm4_ctr"), to: Getter.self)
        guard let sm3 = getSM3(), let sm4 = getSM4() else {
            return .failure(Unavailable(description: "the system's libcrypto does not provide SM3 and SM4-CTR"))
        }
        return .success(Library(sm3: sm3, sm4CTR: sm4, handle: handle))
    }()

    /// Whether SM3 and SM4 can be used here; the reason when not.
    public static var unavailable: Unavailable? {
        if case .failure(let why) = loaded { return why }
        return nil
    }

    private static func library() throws -> Library {
        switch loaded {
        case .success(let l): return l
        case .failure(let why): throw why
        }
    }

    /// SM3 of `bytes` (32 bytes).
    public static func sm3(_ bytes: [UInt8]) throws -> [UInt8] {
        let lib = try library()
        var out = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { lib.digest(input.baseAddress, bytes.count, $0.baseAddress, &size, lib.sm3, nil) }
        }
        guard ok == 1, size == 32 else { throw Unavailable(description: "SM3 failed") }
        return out
    }

    /// HMAC (RFC 2104) with SM3 as the hash: the block is 64 bytes, as for SHA-256.
    public static func hmacSM3(key: [UInt8], _ message: [UInt8]) throws -> [UInt8] {
        var k = key.count > 64 ? try sm3(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = try sm3(k.map { $0 ^ 0x36 } + message)
        return try sm3(k.map { $0 ^ 0x5c } + inner)
    }

    /// SM4 in counter mode (16-byte key, 16-byte initial counter block); the same call decrypts.
    public static func sm4CTR(key: [UInt8], iv: [UInt8], _ data: [UInt8]) throws -> [UInt8] {
        guard key.count == 16, iv.count == 16 else { throw Unavailable(description: "SM4 needs a 16-byte key and counter") }
        let lib = try library()
        guard let ctx = lib.ctxNew() else { throw Unavailable(description: "SM4: no cipher context") }
        defer { lib.ctxFree(ctx) }
        guard lib.encryptInit(ctx, lib.sm4CTR, nil, key, iv) == 1 else { throw Unavailable(description: "SM4: init failed") }
        var out = [UInt8](repeating: 0, count: data.count + 16)
        var n: Int32 = 0
        var tail: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o in
            lib.encryptUpdate(ctx, o.baseAddress, &n, data, Int32(data.count)) == 1
                && lib.encryptFinal(ctx, o.baseAddress.map { $0 + Int(n) }, &tail) == 1
        }
        guard ok else { throw Unavailable(description: "SM4: encryption failed") }
        return Array(out.prefix(Int(n + tail)))
    }
}

/// Which algorithms protect data at rest and the audit chain (`ONESTOP_CRYPTO`): the default
/// AES-256-GCM, HMAC-SHA-256 and SHA-256, or 国密 SM4-CTR with HMAC-SM3, HMAC-SM3 and SM3.
public enum CryptoSuite: String, Sendable, CaseIterable, Codable {
    case standard
    case guomi
}
