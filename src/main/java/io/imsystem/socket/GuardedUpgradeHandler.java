package io.imsystem.socket;

import java.util.List;
import java.util.Map;

import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;
import org.apache.tomcat.websocket.Transformation;
import org.apache.tomcat.websocket.server.WsHandshakeRequest;
import org.apache.tomcat.websocket.server.WsHttpUpgradeHandler;
import org.apache.tomcat.websocket.server.WsServerContainer;

/**
 * Tomcat's WebSocket upgrade handler with a {@link FrameGuard} at the head of the connection's
 * transformation chain, the only place Tomcat lets code see every frame. Public, with a public
 * constructor, because Tomcat creates it by reflection ({@code Request.upgrade}); the
 * {@link FrameGuardFilter} asks for it instead of the plain handler.
 */
public class GuardedUpgradeHandler extends WsHttpUpgradeHandler {

	public GuardedUpgradeHandler() {
	}

	@Override
	public void preInit(ServerEndpointConfig serverEndpointConfig, WsServerContainer wsc,
			WsHandshakeRequest handshakeRequest, List<Extension> negotiatedExtensionsPhase2, String subProtocol,
			Transformation transformation, Map<String, String> pathParameters, boolean secure) {
		FrameGuard guard = new FrameGuard(transformation);
		// This config is the one the endpoint's onOpen receives (WsHttpUpgradeHandler.init).
		serverEndpointConfig.getUserProperties().put(FrameGuard.KEY, guard);
		super.preInit(serverEndpointConfig, wsc, handshakeRequest, negotiatedExtensionsPhase2, subProtocol, guard,
				pathParameters, secure);
	}

}
