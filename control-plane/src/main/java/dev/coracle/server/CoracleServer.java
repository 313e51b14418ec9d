package dev.coracle.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class CoracleServer {
    public static void main(String[] args) {
        SpringApplication.run(CoracleServer.class, args);
    }
}
