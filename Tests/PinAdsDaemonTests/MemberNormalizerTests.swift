import Foundation
import Testing

@testable import PinAdsDaemon

@Suite("Member normalization and hashing")
struct MemberNormalizerTests {
    @Test func sha256MatchesKnownVectors() {
        let hasher = SHA256Hasher()
        #expect(hasher.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hasher.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hasher.hex("abc") == hasher.hex("abc"), "the reused context starts afresh each time")
    }

    @Test func emailsAreTrimmedLowercasedThenHashed() throws {
        let normalizer = MemberNormalizer(kind: .email)
        let expected = SHA256Hasher().hex("jane.doe@example.com")
        #expect(try normalizer.hash("  Jane.Doe@Example.COM\n").get() == expected)
        #expect(try normalizer.hash("jane.doe@example.com").get() == expected)
        // A value already hashed is kept (lowercased), not hashed again.
        #expect(try normalizer.hash(expected.uppercased()).get() == expected)
    }

    @Test func nonASCIIMembersTakeTheUnicodePathWithTheSameRules() throws {
        let normalizer = MemberNormalizer(kind: .email)
        #expect(try normalizer.hash("\u{00A0}José.Núñez@Example.COM ").get() == SHA256Hasher().hex("josé.núñez@example.com"))
        #expect(normalizer.hash("josé@") == .failure(.notAnEmail))
        #expect(normalizer.hash("\u{00A0}\u{2003}") == .failure(.empty))
        // The ASCII path and the Unicode path agree on what they both accept.
        #expect(try normalizer.hash("\tMIXED@Case.Org ").get() == SHA256Hasher().hex("mixed@case.org"))
        #expect(normalizer.hash("a@b.c\u{00E9}") != normalizer.hash("a@b.ce"))
    }

    @Test func badMembersAreRefusedWithAReason() throws {
        let email = MemberNormalizer(kind: .email)
        #expect(email.hash("   ") == .failure(.empty))
        for bad in ["jane", "@example.com", "jane@", "jane@example", "jane@@example.com", "ja ne@example.com", "jane@example."] {
            #expect(email.hash(bad) == .failure(.notAnEmail), "\(bad)")
        }
        #expect(email.hash(String(repeating: "a", count: 250) + "@x.co") == .failure(.tooLong(255)))
        let device = MemberNormalizer(kind: .maid)
        #expect(device.hash("not-a-device") == .failure(.notADeviceID))
        #expect(try device.hash("38400000-8CF0-11BD-B23E-10B96E40000D").get() == SHA256Hasher().hex("38400000-8cf0-11bd-b23e-10b96e40000d"))
    }

    @Test func hashingThroughput() {
        // Measured, not asserted (timing is not a test): the audiences issue's goal is
        // 200,000 members/s through the whole import path.
        let normalizer = MemberNormalizer(kind: .email)
        let emails = (0..<100_000).map { " Person.\($0)@Example.com " }
        let started = ContinuousClock.now
        var accepted = 0
        for email in emails { if case .success = normalizer.hash(email) { accepted += 1 } }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        #expect(accepted == emails.count)
        print("member normalization: \(Int(Double(emails.count) / seconds)) emails/s (debug build)")
    }
}
