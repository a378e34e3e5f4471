package io.imsystem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.imsystem.protocol.Envelope;
import io.imsystem.protocol.JsonEncoding;
import io.imsystem.protocol.LeaveReason;
import io.imsystem.protocol.ServerEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Serializing one event to its JSON frame: done once per broadcast, whatever the audience. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncodingBenchmark {

	private final ServerEvent chat = new ServerEvent.Chat("alice", "hello everyone, how is it going?", 1_764_060_000_000L,
			"127.0.0.1:50000");

	private final ServerEvent cjk = new ServerEvent.Chat("张三", "你好，世界！今天天气很好，我们去公园散步吧。", 1_764_060_000_000L,
			"127.0.0.1:50001");

	private final ServerEvent leave = ServerEvent.Presence.leave("bob", "127.0.0.1:50002", LeaveReason.IDLE, 1234,
			1_764_060_000_000L);

	private final ServerEvent users;

	public EncodingBenchmark() {
		List<ServerEvent.Users.User> list = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			list.add(new ServerEvent.Users.User("user-" + i, 1_764_060_000_000L - i, i, "127.0.0.1:" + (40000 + i)));
		}
		this.users = new ServerEvent.Users(list, 1_764_060_000_000L);
	}

	@Benchmark
	public JsonEncoding.Frame chat() {
		return JsonEncoding.INSTANCE.encode(this.chat);
	}

	@Benchmark
	public JsonEncoding.Frame chatCjk() {
		return JsonEncoding.INSTANCE.encode(this.cjk);
	}

	@Benchmark
	public JsonEncoding.Frame presenceLeave() {
		return JsonEncoding.INSTANCE.encode(this.leave);
	}

	@Benchmark
	public JsonEncoding.Frame users100() {
		return JsonEncoding.INSTANCE.encode(this.users);
	}

	/** A new envelope's first lookup encodes; a broadcast's every later recipient only reads. */
	@Benchmark
	public JsonEncoding.Frame envelopeFirstRecipient() {
		return new Envelope(this.chat).encoded(JsonEncoding.INSTANCE);
	}

}
