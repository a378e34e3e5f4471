package io.imsystem.tcp;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link PausedReaderIntegrationTests} on Java's NIO transport ({@code chat.tcp.native-transport=false}),
 * the one every system without epoll uses: each line goes through the channel.
 */
@TestPropertySource(properties = { "chat.session.buffer-size-limit=16MB", "chat.tcp.native-transport=false" })
class PausedReaderNioIntegrationTests extends PausedReaderIntegrationTests {

}
