import Foundation

// libFuzzer target for the wire decoders. contrib/fuzz/run.sh compiles this file together with
// Sources/PinAdsProtocol/**/*.swift as one module, so it calls them directly. Any input that
// crashes, or breaks a documented outcome (protocol/README.md §2 and §4), stops the run through
// `fatalError` and libFuzzer saves it as crash-<sha1>.
//
// One input drives two checks:
// 1. Frames: byte 0 picks the maximum frame length, byte 1 the size of the pieces the rest
//    arrives in; the rest is the byte stream. FrameDecoder must agree with a plain model.
// 2. Envelope: the whole input is a request frame's payload. RequestHeader.parse and the params
//    decoding (ParamsOnly, as MethodDispatcher does it) give a header or INVALID_ARGUMENT.

private let wireDecoder = Wire.decoder()
private let maxima = [8, 64, 1024, Frame.defaultMaximumLength]

@_cdecl("LLVMFuzzerTestOneInput")
public func pinadsFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    checkFrames(input)
    checkEnvelope(input)
    return 0
}

private func checkFrames(_ input: [UInt8]) {
    guard input.count >= 2 else { return }
    let maximum = maxima[Int(input[0]) % maxima.count]
    let piece = 1 + Int(input[1]) % 16
    let stream = Array(input[2...])

    // The model: frames until a bad header (known once its 4 bytes are in) or the end.
    var expectedFrames: [[UInt8]] = []
    var expectedError: FrameError?
    var errorAt = -1
    var offset = 0
    while stream.count - offset >= 4 {
        let length = Int(stream[offset]) << 24 | Int(stream[offset + 1]) << 16 | Int(stream[offset + 2]) << 8 | Int(stream[offset + 3])
        if length == 0 { expectedError = .emptyFrame; errorAt = offset + 4; break }
        if length > maximum { expectedError = .frameTooLarge(length: length, maximum: maximum); errorAt = offset + 4; break }
        if stream.count - offset < 4 + length { break }
        expectedFrames.append(Array(stream[offset + 4..<offset + 4 + length]))
        offset += 4 + length
    }

    var decoder = FrameDecoder(maximumLength: maximum)
    var frames: [[UInt8]] = []
    var start = 0
    while start < stream.count || start == 0 {
        let end = min(stream.count, start + piece)
        decoder.append(stream[start..<end])
        do {
            while let frame = try decoder.next() { frames.append(frame) }
        } catch {
            guard error == expectedError, errorAt > start, errorAt <= end else {
                fatalError("frame decoder threw \(error) after bytes \(start)..<\(end); the model says \(String(describing: expectedError)) at \(errorAt)")
            }
            guard frames == expectedFrames else { fatalError("frames before the error differ from the model") }
            return
        }
        start = end
        if stream.isEmpty { break }
    }
    guard expectedError == nil else { fatalError("the model expected \(expectedError!) but the decoder did not throw") }
    guard frames == expectedFrames else { fatalError("frames differ from the model: \(frames.count) vs \(expectedFrames.count)") }
    let rest = stream.count - offset
    do {
        try decoder.finish()
        guard rest == 0 else { fatalError("finish() accepted \(rest) dangling bytes") }
    } catch {
        guard rest > 0, case .truncated(_, let received) = error, received == rest else {
            fatalError("finish() threw \(error) with \(rest) bytes left")
        }
    }
}

private func checkEnvelope(_ input: [UInt8]) {
    let header: RequestHeader
    do throws(RequestHeaderError) {
        header = try RequestHeader.parse(input, decoder: wireDecoder)
    } catch {
        let field = error.error.details?["field"]?.stringValue
        guard error.error.code == .invalidArgument else { fatalError("header refused with \(error.error.code)") }
        if field == nil || field == "id" {
            guard error.id == nil else { fatalError("a refusal of row 1–2 carries id \(error.id!)") }
        } else {
            guard ["method", "params", "deadline_ms"].contains(field!) else { fatalError("header refusal names \(field!)") }
            guard error.id != nil else { fatalError("\(field!) refusal lost the readable id") }
        }
        return
    }
    guard !header.method.isEmpty, (header.deadlineMs ?? 1) > 0 else { fatalError("routed a bad header: \(header)") }
    let type = MethodRegistry.all.first { $0.method == header.method } ?? MethodRegistry.all[input.count % MethodRegistry.all.count]
    checkParams(type, input)
}

private func checkParams<R: PinAdsRequest>(_: R.Type, _ input: [UInt8]) {
    do {
        _ = try wireDecoder.decode(ParamsOnly<R>.self, from: Data(input))
    } catch let error as DecodingError {
        let answer = error.responseError
        guard answer.code == .invalidArgument, let field = answer.details?["field"]?.stringValue, answer.message.hasPrefix(field + ": ") else {
            fatalError("params refusal is not INVALID_ARGUMENT naming a field: \(answer)")
        }
    } catch {
        fatalError("params decoding of \(R.method) threw \(type(of: error)) (answered INTERNAL): \(error)")
    }
}
