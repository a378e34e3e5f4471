# Builds and runs im-system. `docker compose up` uses it; so can `docker build -t im-system .`.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp dependency:go-offline
COPY src src
RUN ./mvnw -B -ntp package -DskipTests && cp target/im-system-*.jar /app.jar

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 1001 chat
USER chat
COPY --from=build /app.jar /app/app.jar
EXPOSE 8080 8888
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
