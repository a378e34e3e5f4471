package io.imsystem.bench;

import java.util.concurrent.TimeUnit;

import io.imsystem.command.Command;
import io.imsystem.command.CommandParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Parsing one client frame, in both grammars: the first thing done for every message received. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CommandParserBenchmark {

	@Param({ "json-chat", "json-private", "json-ping", "line-chat", "line-private", "line-rename", "bad-json" })
	String frame;

	private final CommandParser parser = new CommandParser(1000);

	private String text;

	@org.openjdk.jmh.annotations.Setup
	public void pick() {
		this.text = switch (this.frame) {
			case "json-chat" -> "{\"type\":\"chat\",\"text\":\"hello everyone, how is it going?\"}";
			case "json-private" -> "{\"type\":\"private\",\"to\":\"bob\",\"text\":\"hello bob\"}";
			case "json-ping" -> "{\"type\":\"ping\"}";
			case "line-chat" -> "hello everyone, how is it going?\r\n";
			case "line-private" -> "to|bob|hello bob";
			case "line-rename" -> "rename|alice";
			case "bad-json" -> "{\"type\":\"chat\",\"text\":";
			default -> throw new IllegalArgumentException(this.frame);
		};
	}

	@Benchmark
	public Command parse() {
		return this.parser.parse(this.text);
	}

}
